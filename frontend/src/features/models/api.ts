import type { ModelImportRequest, ModelOut, ProgressEvent, PullStreamEvent } from '../../api/types.gen';
import {
  modelsDeleteModel,
  modelsGetModel,
  modelsImportModel,
  modelsListBuiltinModels,
  modelsListModels,
  modelsPullModel,
} from '../../api/sdk.gen';
import { ApiError } from '../../lib/apiError';
import { readNdjson } from '../../lib/ndjson';

export const MODELS_PAGE_SIZE = 50;

export const modelKeys = {
  all: ['models'] as const,
  list: () => [...modelKeys.all, 'list'] as const,
  detail: (id: number) => [...modelKeys.all, 'detail', id] as const,
  builtin: () => [...modelKeys.all, 'builtin'] as const,
};

/** Outside `modelKeys.all` so invalidating the registry never touches a running pull. */
export const pullKeys = {
  progress: (key: string) => ['model-pull', 'progress', key] as const,
  mutation: (key: string) => ['model-pull', key] as const,
};

export async function fetchModelsPage(cursor: string | null, signal?: AbortSignal) {
  const query = cursor ? { limit: MODELS_PAGE_SIZE, cursor } : { limit: MODELS_PAGE_SIZE };
  return (await modelsListModels({ query, signal, throwOnError: true })).data;
}

export async function fetchModel(id: number, signal?: AbortSignal) {
  return (await modelsGetModel({ path: { model_id: id }, signal, throwOnError: true })).data;
}

export async function fetchBuiltinModels(signal?: AbortSignal) {
  return (await modelsListBuiltinModels({ signal, throwOnError: true })).data;
}

export async function importModel(body: ModelImportRequest) {
  return (await modelsImportModel({ body, throwOnError: true })).data;
}

export async function deleteModel(id: number): Promise<void> {
  await modelsDeleteModel({ path: { model_id: id }, throwOnError: true });
}

/** Pulls a built-in model, reporting each progress line; resolves with the registered model. */
export async function pullModel(key: string, onProgress: (event: ProgressEvent) => void): Promise<ModelOut> {
  const { response } = await modelsPullModel({ body: { key }, parseAs: 'stream', throwOnError: true });
  if (!response.body) throw new ApiError(response.status, 'empty_stream', 'The server sent no pull progress.');
  for await (const event of readNdjson<PullStreamEvent>(response.body)) {
    if (event.type === 'progress' && event.progress) onProgress(event.progress);
    else if (event.type === 'done' && event.model) return event.model;
    else if (event.type === 'error') {
      const error = event.error;
      throw new ApiError(
        response.status,
        error?.code ?? 'pull_failed',
        error?.message ?? 'The pull failed.',
        error?.details ?? null,
      );
    }
  }
  throw new ApiError(response.status, 'stream_ended', 'The pull stopped before the model was registered.');
}
