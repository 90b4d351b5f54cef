import { formatBytes, formatInteger } from '../../components/format';
import { ApiError, errorField, errorMessage } from '../../lib/apiError';

/** The controls of the upload form an API error can point at. */
export const UPLOAD_FIELDS = ['file', 'name', 'description', 'format', 'strict', 'stats_model', 'max_length'] as const;
export type UploadField = (typeof UPLOAD_FIELDS)[number];

export type UploadErrors = Partial<Record<UploadField, string>> & {
  /** An error that belongs to no field (network, token, server, a dataset gone meanwhile). */
  form?: unknown;
};

function isUploadField(value: string | null): value is UploadField {
  return value !== null && (UPLOAD_FIELDS as readonly string[]).includes(value);
}

/** An aborted request (by name: the DOMException may come from another realm). */
export function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

/** The byte limit a 413 answer names (`details[0].limit`), if any. */
export function uploadLimit(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.status !== 413) return null;
  const first: unknown = Array.isArray(error.details) ? error.details[0] : error.details;
  const limit = typeof first === 'object' && first !== null ? (first as Record<string, unknown>).limit : null;
  return typeof limit === 'number' && Number.isFinite(limit) ? limit : null;
}

/** What the server said about a file over its upload limit, with the limit in words. */
function tooLargeMessage(error: ApiError, fileSize: number | null): string {
  const limit = uploadLimit(error);
  if (limit === null) return error.message;
  const size = fileSize === null ? '' : ` This file is ${formatBytes(fileSize)}.`;
  return `${error.message} The limit is ${formatBytes(limit)} (${formatInteger(limit)} bytes).${size}`;
}

/** Places an upload failure next to the control it is about: the field the API names (a file
 * that is empty, binary, of an unknown type or format, a name taken, a bad option), a file
 * over the size cap on the file, a name conflict on the name; anything else on the form. */
export function uploadErrors(error: unknown, fileSize: number | null = null): UploadErrors {
  if (!error || isAbort(error)) return {};
  if (!(error instanceof ApiError)) return { form: error };
  if (error.status === 413) return { file: tooLargeMessage(error, fileSize) };
  const field = errorField(error);
  if (isUploadField(field)) return { [field]: errorMessage(error) };
  if (error.status === 409) return { name: errorMessage(error) };
  return { form: error };
}
