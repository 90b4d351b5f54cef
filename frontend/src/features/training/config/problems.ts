import { ApiError } from '../../../lib/apiError';

/** The API's 422 details sorted onto the form: messages per field it names, and the rest. */
export interface FormProblems {
  byField: ReadonlyMap<string, readonly string[]>;
  general: readonly string[];
}

export const NO_PROBLEMS: FormProblems = { byField: new Map(), general: [] };

interface Detail {
  field: string;
  message: string;
}

function detailsOf(error: ApiError): Detail[] {
  const list: unknown[] = Array.isArray(error.details) ? error.details : [error.details];
  return list.flatMap((item): Detail[] => {
    if (typeof item !== 'object' || item === null) return [];
    const { field, message } = item as Record<string, unknown>;
    return typeof field === 'string' ? [{ field, message: typeof message === 'string' ? message : error.message }] : [];
  });
}

/** A message without the "field: " its service put in front (the form shows it under the field). */
function withoutField(message: string, field: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}

/** The problems of a refused config, or null for a failure that is not about the config
 * (network, token, server error), which the form shows as a whole. */
export function problemsOf(error: unknown, fields: ReadonlySet<string>): FormProblems | null {
  if (!(error instanceof ApiError) || error.status !== 422) return null;
  const details = detailsOf(error);
  if (details.length === 0) return { byField: new Map(), general: [error.message] };
  const byField = new Map<string, string[]>();
  const general: string[] = [];
  for (const { field, message } of details) {
    if (fields.has(field)) byField.set(field, [...(byField.get(field) ?? []), withoutField(message, field)]);
    else general.push(field === 'body' ? message : `${field}: ${message}`);
  }
  return { byField, general };
}

/** Both sets of problems, each message once per field. */
export function mergeProblems(first: FormProblems, second: FormProblems): FormProblems {
  const byField = new Map(first.byField);
  for (const [field, messages] of second.byField) {
    byField.set(field, [...new Set([...(byField.get(field) ?? []), ...messages])]);
  }
  return { byField, general: [...new Set([...first.general, ...second.general])] };
}
