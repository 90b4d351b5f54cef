import { useDebouncedCallback } from '@mantine/hooks';
import { useState } from 'react';
import type { ChatSampling, ChatThreadOut } from '../../api/types.gen';
import { useUpdateThread } from './queries';
import { samplingOf, samplingProblems } from './sampling';
import type { ChatTarget } from './targets';

/** What a thread answers with; stored on the thread, so it opens as it was left. */
export interface ThreadSettings {
  target: ChatTarget | null;
  systemPrompt: string;
  sampling: ChatSampling;
}

const SAVE_DELAY_MS = 600;

export function settingsOf(thread: ChatThreadOut): ThreadSettings {
  return {
    target: thread.model ? { model: thread.model, adapter: thread.adapter } : null,
    systemPrompt: thread.system_prompt,
    sampling: samplingOf(thread.params),
  };
}

/** A thread's settings as edited here, saved a moment after the last change (and at once by
 * `flush`, before a message is sent, or when the view closes). Values the browser can already
 * see are out of bounds are not sent; their fields say why. */
export function useThreadSettings(thread: ChatThreadOut) {
  const [settings, setSettings] = useState(() => settingsOf(thread));
  const update = useUpdateThread();
  const { mutate } = update;
  const save = useDebouncedCallback(
    (next: ThreadSettings) => {
      if (Object.keys(samplingProblems(next.sampling)).length > 0) return;
      mutate({
        id: thread.id,
        changes: {
          model: next.target?.model ?? null,
          adapter: next.target?.adapter ?? null,
          system_prompt: next.systemPrompt,
          params: next.sampling,
        },
      });
    },
    { delay: SAVE_DELAY_MS, flushOnUnmount: true },
  );

  const change = (changes: Partial<ThreadSettings>) => {
    const next = { ...settings, ...changes };
    setSettings(next);
    save(next);
  };

  return { settings, change, flush: save.flush, saveError: update.error };
}
