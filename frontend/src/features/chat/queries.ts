import { type QueryClient, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ChatMessageOut, ChatThreadCreate, ChatThreadOut, ChatThreadUpdate } from '../../api/types.gen';
import {
  chatKeys,
  createThread,
  deleteThread,
  fetchChatModels,
  fetchMessages,
  fetchThread,
  fetchThreadsPage,
  updateThread,
} from './api';

export function useChatModels() {
  return useQuery({ queryKey: chatKeys.models(), queryFn: ({ signal }) => fetchChatModels(signal) });
}

export function useThreadList() {
  return useInfiniteQuery({
    queryKey: chatKeys.threads(),
    queryFn: ({ pageParam, signal }) => fetchThreadsPage(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    select: (data) => data.pages.flatMap((page) => page.items),
  });
}

export function useThread(id: number) {
  return useQuery({
    queryKey: chatKeys.thread(id),
    queryFn: ({ signal }) => fetchThread(id, signal),
    enabled: Number.isInteger(id),
  });
}

export function useThreadMessages(id: number) {
  return useQuery({
    queryKey: chatKeys.messages(id),
    queryFn: ({ signal }) => fetchMessages(id, signal),
    enabled: Number.isInteger(id),
    // The view writes every message it stores into this cache; a refetch would only race it.
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Writes a thread the API answered into its cache entry, and has the list read again. */
function storeThread(queryClient: QueryClient, thread: ChatThreadOut) {
  queryClient.setQueryData(chatKeys.thread(thread.id), thread);
  return queryClient.invalidateQueries({ queryKey: chatKeys.threads() });
}

export function useCreateThread() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ChatThreadCreate) => createThread(body),
    onSuccess: (thread) => {
      queryClient.setQueryData<ChatMessageOut[]>(chatKeys.messages(thread.id), []);
      return storeThread(queryClient, thread);
    },
  });
}

export function useUpdateThread() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, changes }: { id: number; changes: ChatThreadUpdate }) => updateThread(id, changes),
    onSuccess: (thread) => storeThread(queryClient, thread),
  });
}

export function useDeleteThread() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => deleteThread(id),
    onSuccess: (_data, id) => {
      queryClient.removeQueries({ queryKey: chatKeys.thread(id) });
      queryClient.removeQueries({ queryKey: chatKeys.messages(id) });
      return queryClient.invalidateQueries({ queryKey: chatKeys.threads() });
    },
  });
}

/** Adds a stored message to the end of its thread's cached conversation. */
export function appendMessage(queryClient: QueryClient, message: ChatMessageOut) {
  queryClient.setQueryData<ChatMessageOut[]>(chatKeys.messages(message.thread_id), (messages = []) => [
    ...messages,
    message,
  ]);
}

export function removeMessage(queryClient: QueryClient, threadId: number, messageId: number) {
  queryClient.setQueryData<ChatMessageOut[]>(chatKeys.messages(threadId), (messages = []) =>
    messages.filter((message) => message.id !== messageId),
  );
}
