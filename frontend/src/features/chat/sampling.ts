/** The sampling controls, read from the ChatSampling JSON schema in the backend's OpenAPI
 * document (generated into api/schemas.gen.ts): labels, help, defaults and bounds all come from
 * there, through the same reader as the recipe and training forms. */
import { ChatSamplingSchema } from '../../api/schemas.gen';
import type { ChatSampling } from '../../api/types.gen';
import { checkValue, type FieldSpec, fieldsOf, type JsonSchema } from '../../lib/jsonSchema';

/** The order people tune them in: randomness and the candidate set first, then the length,
 * penalties, stop strings and the seed. */
const ORDER: ReadonlyArray<keyof ChatSampling> = [
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'max_tokens',
  'repetition_penalty',
  'presence_penalty',
  'frequency_penalty',
  'stop',
  'seed',
];

const rank = (field: FieldSpec) => {
  const index = ORDER.indexOf(field.name as keyof ChatSampling);
  return index < 0 ? ORDER.length : index;
};

// The generated schema is a deep `as const` literal: read it as a plain JSON schema.
export const SAMPLING_FIELDS: readonly FieldSpec[] = fieldsOf(ChatSamplingSchema as unknown as JsonSchema, { rank });

const BY_NAME: ReadonlyMap<string, FieldSpec> = new Map(SAMPLING_FIELDS.map((field) => [field.name, field]));

function isDefault(field: FieldSpec, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return field.hasDefault && value === field.default;
}

export function isSamplingField(name: string | null): name is keyof ChatSampling {
  return name !== null && BY_NAME.has(name);
}

/** The sampling controls among a stored thread's params (which hold all of them), only those
 * that differ from their defaults: the controls show the rest as "default". */
export function samplingOf(params: Readonly<Record<string, unknown>> | null | undefined): ChatSampling {
  const sampling: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    const field = BY_NAME.get(name);
    if (field && !isDefault(field, value)) sampling[name] = value;
  }
  return sampling as ChatSampling;
}

/** "temperature 0.7, top p 0.9": the controls set away from their defaults. */
export function samplingSummary(sampling: ChatSampling): string {
  const values = sampling as Record<string, unknown>;
  const parts = SAMPLING_FIELDS.filter((field) => values[field.name] !== undefined).map((field) => {
    const value = values[field.name];
    return `${field.label.toLowerCase()} ${Array.isArray(value) ? value.map((item) => JSON.stringify(item)).join(' ') : String(value)}`;
  });
  return parts.length > 0 ? parts.join(', ') : 'defaults';
}

/** One value set (undefined: back to its default), the others kept. */
export function withSamplingValue(sampling: ChatSampling, name: string, value: unknown): ChatSampling {
  const next: Record<string, unknown> = { ...sampling };
  if (value === undefined) delete next[name];
  else next[name] = value;
  return next as ChatSampling;
}

/** What the browser can already see is wrong, by field (empty: nothing). */
export function samplingProblems(sampling: ChatSampling): Record<string, string> {
  const problems: Record<string, string> = {};
  const values = sampling as Record<string, unknown>;
  for (const field of SAMPLING_FIELDS) {
    const problem = checkValue(field, values[field.name]);
    if (problem) problems[field.name] = problem;
  }
  return problems;
}
