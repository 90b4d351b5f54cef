import type { ChatMessageIn } from '../../api/types.gen';

export type ChatRole = ChatMessageIn['role'];

/** A message as the conversation view shows it (stored or not). */
export interface ShownMessage {
  role: ChatRole;
  content: string;
}

const TITLE_CHARS = 60;

/** What /v1/chat/completions is sent: the system prompt (when there is one), then the turns. */
export function requestMessages(systemPrompt: string, turns: readonly ShownMessage[]): ChatMessageIn[] {
  const system: ChatMessageIn[] = systemPrompt.trim() ? [{ role: 'system', content: systemPrompt }] : [];
  return [...system, ...turns.map(({ role, content }) => ({ role, content }))];
}

/** A thread's title from its first message: the first line, cut at a word near 60 characters. */
export function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0]?.trim() ?? '';
  if (line.length <= TITLE_CHARS) return line;
  const cut = line.slice(0, TITLE_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > TITLE_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Threads start untitled; the list shows this until the first message names them. */
export const UNTITLED = 'New chat';

export function threadTitle(title: string): string {
  return title.trim() || UNTITLED;
}
