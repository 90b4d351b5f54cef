import { useCallback, useEffect, useRef, useState } from 'react';
import { type ReplyOutcome, type ReplyRequest, streamChatReply } from './chatStream';

export type LiveReplyPhase = 'waiting' | 'streaming' | 'done' | 'failed';

/** A reply as it streams in, keyed by whatever the caller answers in (a thread, a pane). */
export interface LiveReply {
  phase: LiveReplyPhase;
  text: string;
  error: unknown;
  /** Set once done: how it finished (`cancelled` when stopped) and its token counts. */
  outcome: ReplyOutcome | null;
}

export function isStreaming(reply: LiveReply | undefined): boolean {
  return reply?.phase === 'waiting' || reply?.phase === 'streaming';
}

export interface ReplyStreams {
  replies: Readonly<Record<string, LiveReply>>;
  /** Streams a reply under `key` (replacing one still streaming there). Resolves with the
   * finished reply, also one stopped part-way (finish reason `cancelled`); null when it failed
   * (its error stays in `replies`) or was replaced. A done reply stays in `replies` until
   * `clear`, so the caller can swap it for the stored message without a gap. */
  start: (key: string, request: ReplyRequest) => Promise<ReplyOutcome | null>;
  /** Aborts the request: the server stops generating when the connection closes. */
  stop: (key: string) => void;
  stopAll: () => void;
  clear: (key: string) => void;
}

export function useReplyStreams(): ReplyStreams {
  const [replies, setReplies] = useState<Readonly<Record<string, LiveReply>>>({});
  const controllers = useRef(new Map<string, AbortController>());

  // Leaving the page stops every generation, like the stop button.
  useEffect(() => {
    const running = controllers.current;
    return () => {
      for (const controller of running.values()) controller.abort();
    };
  }, []);

  const start = useCallback(async (key: string, request: ReplyRequest): Promise<ReplyOutcome | null> => {
    controllers.current.get(key)?.abort();
    const controller = new AbortController();
    controllers.current.set(key, controller);
    const current = () => controllers.current.get(key) === controller;
    const show = (reply: LiveReply) => {
      if (current()) setReplies((all) => ({ ...all, [key]: reply }));
    };
    let text = '';
    show({ phase: 'waiting', text, error: null, outcome: null });
    try {
      const outcome = await streamChatReply(request, controller.signal, (delta) => {
        text += delta;
        show({ phase: 'streaming', text, error: null, outcome: null });
      });
      show({ phase: 'done', text: outcome.text, error: null, outcome });
      return outcome;
    } catch (error) {
      if (!controller.signal.aborted) {
        show({ phase: 'failed', text, error, outcome: null });
        return null;
      }
      if (!current()) return null;
      const stopped: ReplyOutcome = { text, finishReason: 'cancelled', usage: null };
      show({ phase: 'done', text, error: null, outcome: stopped });
      return stopped;
    } finally {
      if (current()) controllers.current.delete(key);
    }
  }, []);

  const stop = useCallback((key: string) => controllers.current.get(key)?.abort(), []);

  const stopAll = useCallback(() => {
    for (const controller of controllers.current.values()) controller.abort();
  }, []);

  const clear = useCallback((key: string) => {
    setReplies((all) => {
      if (!(key in all)) return all;
      const { [key]: _cleared, ...rest } = all;
      return rest;
    });
  }, []);

  return { replies, start, stop, stopAll, clear };
}
