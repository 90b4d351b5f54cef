import {
  modelsDeleteModel,
  modelsGetModel,
  modelsImportModel,
  modelsListBuiltinModels,
  modelsListModels,
  modelsPullModel,
} from '../../api/sdk.gen';
import type { ModelImportRequest } from '../../api/types.gen';

export const MODELS_PAGE_SIZE = 50;

export const modelKeys = {
  all: ['models'] as const,
  list: () => [...modelKeys.all, 'list'] as const,
  detail: (id: number) => [...modelKeys.all, 'detail', id] as const,
  builtin: () => [...modelKeys.all, 'builtin'] as const,
};

/** The id of the job a view started, outside `modelKeys.all` so invalidating the registry
 * never forgets it. */
export const modelJobKeys = {
  pull: (key: string) => ['model-jobs', 'pull', key] as const,
  import: () => ['model-jobs', 'import'] as const,
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

/** Starts a `model.import` job; a bad source or name is refused at once (422/409). */
export async function importModel(body: ModelImportRequest) {
  return (await modelsImportModel({ body, throwOnError: true })).data;
}

/** Starts a `model.pull` job for a built-in model. */
export async function pullModel(key: string) {
  return (await modelsPullModel({ body: { key }, throwOnError: true })).data;
}

export async function deleteModel(id: number): Promise<void> {
  await modelsDeleteModel({ path: { model_id: id }, throwOnError: true });
}
