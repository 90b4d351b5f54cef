import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ChatMessageOut } from '../../api/types.gen';
import { addMessage, chatKeys, deleteMessage } from './api';
import type { ReplyOutcome } from './chatStream';
import { requestMessages, titleFrom } from './conversation';
import { appendMessage, removeMessage, useUpdateThread } from './queries';
import { targetName } from './targets';
import { isStreaming, useReplyStreams } from './useReplyStreams';
import type { ThreadSettings } from './useThreadSettings';

const REPLY = 'reply';

interface Turn {
  /** The stored reply being regenerated: hidden while its replacement streams in. */
  replacing: number | null;
  /** The stored copy of the live reply, once saved: the live one gives way to it. */
  savedId: number | null;
}

const NO_TURN: Turn = { replacing: null, savedId: null };

/** A stored thread's conversation: sends a message, streams the reply from /v1 and stores it
 * (with the model, sampling, finish reason and token counts), stops it, regenerates the last
 * reply. Every stored message goes into the messages cache as the API returns it. */
export function useThreadChat(threadId: number, title: string, settings: ThreadSettings, beforeSend: () => void) {
  const queryClient = useQueryClient();
  const streams = useReplyStreams();
  const { mutate: updateThread } = useUpdateThread();
  const [turn, setTurn] = useState<Turn>(NO_TURN);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);

  const live = streams.replies[REPLY];
  const cached = () => queryClient.getQueryData<ChatMessageOut[]>(chatKeys.messages(threadId)) ?? [];

  async function store(outcome: ReplyOutcome, replacing: number | null): Promise<void> {
    const { target, sampling } = settings;
    const saved = await addMessage(threadId, {
      role: 'assistant',
      content: outcome.text,
      model: target?.model ?? null,
      adapter: target?.adapter ?? null,
      params: sampling,
      finish_reason: outcome.finishReason,
      prompt_tokens: outcome.usage?.prompt_tokens ?? null,
      completion_tokens: outcome.usage?.completion_tokens ?? null,
    });
    appendMessage(queryClient, saved);
    setTurn({ replacing, savedId: saved.id });
    if (replacing !== null) {
      await deleteMessage(threadId, replacing);
      removeMessage(queryClient, threadId, replacing);
    }
  }

  async function answer(history: ChatMessageOut[], replacing: number | null): Promise<void> {
    const { target, systemPrompt, sampling } = settings;
    if (!target) return;
    setTurn({ replacing, savedId: null });
    const outcome = await streams.start(REPLY, {
      target,
      messages: requestMessages(systemPrompt, history),
      sampling,
    });
    // A failed reply shows its error, and the reply it was to replace comes back.
    if (!outcome) return setTurn(NO_TURN);
    // Stopped before the first token: nothing to keep.
    if (outcome.finishReason === 'cancelled' && outcome.text === '') {
      streams.clear(REPLY);
      return setTurn(NO_TURN);
    }
    await store(outcome, replacing);
  }

  async function run(work: () => Promise<void>): Promise<void> {
    setSaveError(null);
    setSaving(true);
    try {
      await work();
    } catch (error) {
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  }

  const send = (text: string) =>
    run(async () => {
      beforeSend();
      const message = await addMessage(threadId, { role: 'user', content: text });
      appendMessage(queryClient, message);
      streams.clear(REPLY);
      if (title === '' && cached().length === 1) updateThread({ id: threadId, changes: { title: titleFrom(text) } });
      await answer(cached(), null);
    });

  /** Answers the conversation again: the last reply is replaced, or a missing one written. */
  const regenerate = () =>
    run(async () => {
      beforeSend();
      const messages = cached();
      const last = messages.at(-1);
      if (!last) return;
      if (last.role === 'assistant') await answer(messages.slice(0, -1), last.id);
      else await answer(messages, null);
    });

  const streaming = isStreaming(live);
  return {
    live,
    turn,
    writer: settings.target ? targetName(settings.target) : null,
    streaming,
    /** Storing a message (not streaming). */
    saving: saving && !streaming,
    saveError,
    send: (text: string) => void send(text),
    regenerate: () => void regenerate(),
    stop: () => streams.stop(REPLY),
  };
}
