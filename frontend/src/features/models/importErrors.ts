import { ApiError, errorField, errorMessage } from '../../lib/apiError';

export type ImportField = 'source' | 'name';

export interface ImportErrors {
  source?: string;
  name?: string;
  /** An error that belongs to no field (network, token, server). */
  form?: unknown;
}

/** Places an import failure next to the field it is about: the field the API names, else a
 * name conflict on `name`, else a bad or unreachable source on `source`. */
export function importErrors(error: unknown): ImportErrors {
  if (!(error instanceof ApiError)) return error ? { form: error } : {};
  const message = errorMessage(error);
  const field = errorField(error);
  if (field === 'source' || field === 'name') return { [field]: message };
  if (error.status === 409) return { name: message };
  if (error.status === 422 || error.status === 404 || error.status === 503) return { source: message };
  return { form: error };
}
