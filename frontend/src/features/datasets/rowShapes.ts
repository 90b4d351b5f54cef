/** What a stored row looks like, read defensively: the API types rows as plain objects. */

export interface ChatMessage {
  role: string;
  content: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMessage(value: unknown): value is ChatMessage {
  return isRecord(value) && typeof value.role === 'string' && typeof value.content === 'string';
}

/** A list of {role, content}, or null when the value is not one. */
export function asMessages(value: unknown): ChatMessage[] | null {
  return Array.isArray(value) && value.every(isMessage) ? value : null;
}

export interface PreferenceShape {
  prompt: ChatMessage[];
  chosen: ChatMessage[];
  rejected: ChatMessage[];
}

export function asPreference(row: Record<string, unknown>): PreferenceShape | null {
  const prompt = asMessages(row.prompt);
  const chosen = asMessages(row.chosen);
  const rejected = asMessages(row.rejected);
  return prompt && chosen && rejected ? { prompt, chosen, rejected } : null;
}

/** A table cell as text: strings as they are, anything else as JSON. */
export function cellText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
