import {
  datasetsDeleteDataset,
  datasetsGetDataset,
  datasetsGetDatasetVersion,
  datasetsImportDatasetSample,
  datasetsListDatasetRows,
  datasetsListDatasets,
  datasetsListDatasetSamples,
  datasetsRecomputeDatasetStats,
  datasetsUploadDataset,
} from '../../api/sdk.gen';
import type { DatasetsUploadDatasetData, StatsRequest } from '../../api/types.gen';
import { createXhrFetch, type TransferProgress } from './xhrFetch';

export const DATASETS_PAGE_SIZE = 50;
/** Rows per page of the row viewer (the API allows up to 200). */
export const ROWS_PAGE_SIZE = 50;

export type UploadBody = DatasetsUploadDatasetData['body'];

export const datasetKeys = {
  all: ['datasets'] as const,
  lists: () => [...datasetKeys.all, 'list'] as const,
  detail: (id: number) => [...datasetKeys.all, 'detail', id] as const,
  /** Everything read from one dataset: its versions, rows and stats. */
  of: (id: number) => [...datasetKeys.all, 'of', id] as const,
  version: (id: number, version: number) => [...datasetKeys.of(id), 'version', version] as const,
  rows: (id: number, version: number) => [...datasetKeys.of(id), 'rows', version] as const,
  samples: () => [...datasetKeys.all, 'samples'] as const,
};

/** The id of the stats job a view started, outside `datasetKeys.all` so refreshing the dataset
 * never forgets it. */
export const datasetJobKeys = {
  stats: (id: number, version: number) => ['dataset-jobs', 'stats', id, version] as const,
};

export async function fetchDatasetsPage(cursor: string | null, signal?: AbortSignal) {
  const query = cursor ? { limit: DATASETS_PAGE_SIZE, cursor } : { limit: DATASETS_PAGE_SIZE };
  return (await datasetsListDatasets({ query, signal, throwOnError: true })).data;
}

export async function fetchDataset(id: number, signal?: AbortSignal) {
  return (await datasetsGetDataset({ path: { dataset_id: id }, signal, throwOnError: true })).data;
}

/** One version with its detection report and stats (`version` 0: the newest). */
export async function fetchDatasetVersion(id: number, version: number, signal?: AbortSignal) {
  return (await datasetsGetDatasetVersion({ path: { dataset_id: id, version }, signal, throwOnError: true })).data;
}

export async function fetchDatasetRows(id: number, version: number, cursor: string | null, signal?: AbortSignal) {
  const query = cursor ? { limit: ROWS_PAGE_SIZE, cursor } : { limit: ROWS_PAGE_SIZE };
  return (
    await datasetsListDatasetRows({ path: { dataset_id: id, version }, query, signal, throwOnError: true })
  ).data;
}

export async function fetchDatasetSamples(signal?: AbortSignal) {
  return (await datasetsListDatasetSamples({ signal, throwOnError: true })).data;
}

/** Uploads a file with its options as multipart/form-data, reporting the bytes sent: the
 * generated operation, sent over XMLHttpRequest (see xhrFetch) instead of fetch. Answers with
 * the dataset and its `dataset.import` job; a file that cannot be used is refused at once. */
export async function uploadDataset(
  body: UploadBody,
  onProgress: (progress: TransferProgress) => void,
  signal?: AbortSignal,
) {
  return (
    await datasetsUploadDataset({ body, fetch: createXhrFetch(onProgress), signal, throwOnError: true })
  ).data;
}

/** Starts importing a built-in sample as a new dataset. */
export async function importSample(key: string, name?: string) {
  return (
    await datasetsImportDatasetSample({ path: { key }, body: name ? { name } : {}, throwOnError: true })
  ).data;
}

/** Starts a `dataset.stats` job for another model or max length. */
export async function recomputeStats(id: number, version: number, body: StatsRequest) {
  return (
    await datasetsRecomputeDatasetStats({ path: { dataset_id: id, version }, body, throwOnError: true })
  ).data;
}

export async function deleteDataset(id: number): Promise<void> {
  await datasetsDeleteDataset({ path: { dataset_id: id }, throwOnError: true });
}
