import { useNavigate } from '@tanstack/react-router';
import type { ChatThreadCreate } from '../../api/types.gen';
import { useChatModels, useCreateThread, useThreadList } from './queries';
import { samplingOf } from './sampling';
import { targetOf } from './targets';

/** Starts an empty thread and opens it. It answers with the model and sampling of the newest
 * thread (people keep chatting with what they chose), else with the first base model. */
export function useStartChat() {
  const create = useCreateThread();
  const navigate = useNavigate();
  const models = useChatModels();
  const threads = useThreadList();

  const start = () => {
    const latest = threads.data?.[0];
    const list = models.data ?? [];
    const first = list.find((model) => !model.parent) ?? list[0];
    let body: ChatThreadCreate = {};
    if (latest?.model) body = { model: latest.model, adapter: latest.adapter, params: samplingOf(latest.params) };
    else if (first) {
      const target = targetOf(first.id, list);
      body = { model: target.model, adapter: target.adapter };
    }
    create.mutate(body, {
      onSuccess: (thread) => void navigate({ to: '/chat/$threadId', params: { threadId: thread.id } }),
    });
  };

  return { start, pending: create.isPending, error: create.error };
}
