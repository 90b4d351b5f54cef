import type { OpenAiModel } from '../../api/types.gen';

/** What a reply is asked of: a base model, or an adapter applied on its base. */
export interface ChatTarget {
  model: string;
  adapter: string | null;
}

/** Compare mode answers with two to four models side by side. */
export const MIN_COMPARE_PANES = 2;
export const MAX_COMPARE_PANES = 4;

/** The name /v1/models lists a target under: the adapter's own name, or the base model's. */
export function targetName(target: ChatTarget): string {
  return target.adapter ?? target.model;
}

/** A /v1/models entry as a target. An adapter names its base as `parent` and is applied on it;
 * a name the list does not have is asked for as it is, so the server's answer says why. */
export function targetOf(name: string, models: readonly OpenAiModel[]): ChatTarget {
  const entry = models.find((model) => model.id === name);
  if (entry?.parent) return { model: entry.parent, adapter: entry.id };
  return { model: name, adapter: null };
}

/** The `models` search parameter of the compare page: names joined by commas (registry names
 * never contain one), e.g. `/chat/compare?models=smollm2-135m-instruct,my-adapter`. */
export function parseModelNames(value: unknown): string[] {
  const text = Array.isArray(value) ? value.join(',') : value === undefined || value === null ? '' : String(value);
  return text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .slice(0, MAX_COMPARE_PANES);
}

export function modelNamesParam(names: readonly string[]): string {
  return names.join(',');
}
