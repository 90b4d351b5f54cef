import {
  chatAddMessage,
  chatCreateThread,
  chatDeleteMessage,
  chatDeleteThread,
  chatGetThread,
  chatListMessages,
  chatListThreads,
  chatUpdateThread,
  openaiListOpenaiModels,
} from '../../api/sdk.gen';
import type { ChatMessageCreate, ChatMessageOut, ChatThreadCreate, ChatThreadUpdate } from '../../api/types.gen';

export const THREADS_PAGE_SIZE = 50;
/** The API's largest page: a conversation is read whole, in as few requests as it takes. */
const MESSAGES_PAGE_SIZE = 200;

export const chatKeys = {
  all: ['chat'] as const,
  models: () => [...chatKeys.all, 'models'] as const,
  threads: () => [...chatKeys.all, 'threads'] as const,
  thread: (id: number) => [...chatKeys.all, 'thread', id] as const,
  messages: (id: number) => [...chatKeys.all, 'messages', id] as const,
};

/** The base models and adapters the OpenAI-compatible API serves (what /v1 clients list). */
export async function fetchChatModels(signal?: AbortSignal) {
  return (await openaiListOpenaiModels({ signal, throwOnError: true })).data.data;
}

export async function fetchThreadsPage(cursor: string | null, signal?: AbortSignal) {
  const query = cursor ? { limit: THREADS_PAGE_SIZE, cursor } : { limit: THREADS_PAGE_SIZE };
  return (await chatListThreads({ query, signal, throwOnError: true })).data;
}

export async function fetchThread(id: number, signal?: AbortSignal) {
  return (await chatGetThread({ path: { thread_id: id }, signal, throwOnError: true })).data;
}

export async function createThread(body: ChatThreadCreate) {
  return (await chatCreateThread({ body, throwOnError: true })).data;
}

export async function updateThread(id: number, body: ChatThreadUpdate) {
  return (await chatUpdateThread({ path: { thread_id: id }, body, throwOnError: true })).data;
}

export async function deleteThread(id: number): Promise<void> {
  await chatDeleteThread({ path: { thread_id: id }, throwOnError: true });
}

/** Every message of a thread, oldest first. */
export async function fetchMessages(threadId: number, signal?: AbortSignal): Promise<ChatMessageOut[]> {
  const messages: ChatMessageOut[] = [];
  let cursor: string | null = null;
  do {
    const query: { limit: number; cursor?: string } = { limit: MESSAGES_PAGE_SIZE };
    if (cursor) query.cursor = cursor;
    const page = (await chatListMessages({ path: { thread_id: threadId }, query, signal, throwOnError: true })).data;
    messages.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return messages;
}

export async function addMessage(threadId: number, body: ChatMessageCreate) {
  return (await chatAddMessage({ path: { thread_id: threadId }, body, throwOnError: true })).data;
}

export async function deleteMessage(threadId: number, messageId: number): Promise<void> {
  await chatDeleteMessage({ path: { thread_id: threadId, message_id: messageId }, throwOnError: true });
}
