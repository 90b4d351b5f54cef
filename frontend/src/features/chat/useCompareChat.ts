import { useRef, useState } from 'react';
import type { ChatSampling } from '../../api/types.gen';
import type { ReplyOutcome } from './chatStream';
import { requestMessages, type ShownMessage } from './conversation';
import { type ChatTarget, MAX_COMPARE_PANES, MIN_COMPARE_PANES, targetName } from './targets';
import { isStreaming, useReplyStreams } from './useReplyStreams';

export interface Pane {
  id: string;
  target: ChatTarget | null;
}

export interface PaneReply extends ReplyOutcome {
  writer: string;
}

/** One message of the person and each pane's reply to it. */
export interface CompareTurn {
  user: string;
  replies: Readonly<Record<string, PaneReply>>;
}

/** A pane's own side of the conversation: every turn's message and its reply to it (a pane
 * added later has none for the turns before it), so each model continues its own answers. */
export function paneHistory(turns: readonly CompareTurn[], paneId: string): ShownMessage[] {
  return turns.flatMap((turn): ShownMessage[] => {
    const reply = turn.replies[paneId];
    return reply ? [{ role: 'user', content: turn.user }, { role: 'assistant', content: reply.text }] : [{ role: 'user', content: turn.user }];
  });
}

interface Settings {
  systemPrompt: string;
  sampling: ChatSampling;
}

/** Compare mode: the same conversation answered by several models side by side, each pane
 * streaming its own /v1 reply at the same time, with one box to write in, one Stop and one
 * Regenerate for all. Nothing is stored: it is for looking, not for keeping. */
export function useCompareChat(initialTargets: ReadonlyArray<ChatTarget | null>, settings: Settings) {
  const streams = useReplyStreams();
  const nextId = useRef(0);
  const newPane = (target: ChatTarget | null): Pane => {
    nextId.current += 1;
    return { id: `pane-${nextId.current}`, target };
  };
  const [panes, setPanes] = useState<Pane[]>(() => initialTargets.map(newPane));
  const [turns, setTurns] = useState<CompareTurn[]>([]);
  // Bumped when the conversation is cleared, so replies still arriving for it are dropped.
  const epoch = useRef(0);

  const answer = (pane: Pane, history: CompareTurn[], turnIndex: number) => {
    const { target } = pane;
    if (!target) return;
    const started = epoch.current;
    const messages = requestMessages(settings.systemPrompt, paneHistory(history, pane.id));
    void streams.start(pane.id, { target, messages, sampling: settings.sampling }).then((outcome) => {
      if (!outcome || started !== epoch.current) return;
      if (outcome.finishReason === 'cancelled' && outcome.text === '') {
        streams.clear(pane.id);
        return;
      }
      const reply: PaneReply = { ...outcome, writer: targetName(target) };
      setTurns((all) =>
        all.map((turn, index) => (index === turnIndex ? { ...turn, replies: { ...turn.replies, [pane.id]: reply } } : turn)),
      );
      streams.clear(pane.id);
    });
  };

  const send = (text: string) => {
    const next = [...turns, { user: text, replies: {} }];
    setTurns(next);
    for (const pane of panes) answer(pane, next, next.length - 1);
  };

  /** Every pane answers the last message again. */
  const regenerate = () => {
    const last = turns.at(-1);
    if (!last) return;
    const next = [...turns.slice(0, -1), { user: last.user, replies: {} }];
    setTurns(next);
    for (const pane of panes) answer(pane, next, next.length - 1);
  };

  const clearConversation = () => {
    epoch.current += 1;
    streams.stopAll();
    for (const pane of panes) streams.clear(pane.id);
    setTurns([]);
  };

  const setTarget = (paneId: string, target: ChatTarget) =>
    setPanes((all) => all.map((pane) => (pane.id === paneId ? { ...pane, target } : pane)));

  const addPane = () => {
    if (panes.length < MAX_COMPARE_PANES) setPanes((all) => [...all, newPane(null)]);
  };

  const removePane = (paneId: string) => {
    if (panes.length <= MIN_COMPARE_PANES) return;
    streams.stop(paneId);
    streams.clear(paneId);
    setPanes((all) => all.filter((pane) => pane.id !== paneId));
  };

  const streaming = panes.some((pane) => isStreaming(streams.replies[pane.id]));
  return {
    panes,
    turns,
    replies: streams.replies,
    streaming,
    send,
    regenerate,
    stop: streams.stopAll,
    clearConversation,
    setTarget,
    addPane,
    removePane,
  };
}
