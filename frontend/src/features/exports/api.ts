import {
  exportsCreateExport,
  exportsDeleteExport,
  exportsDownloadExport,
  exportsGetExport,
  exportsListExports,
  exportsRegisterExport,
} from '../../api/sdk.gen';
import type { ExportConfig, ExportsListExportsData } from '../../api/types.gen';

export const EXPORTS_PAGE_SIZE = 50;
/** The job kinds an export and its register-back run as. */
export const EXPORT_KIND = 'export';
export const REGISTER_KIND = 'export.register';

export const exportKeys = {
  all: ['exports'] as const,
  lists: () => [...exportKeys.all, 'list'] as const,
  /** Finished exports of one adapter (or of a base model's adapters); null: every export. */
  list: (modelId: number | null) => [...exportKeys.lists(), modelId] as const,
  detail: (id: number) => [...exportKeys.all, 'detail', id] as const,
};

/** The id of a register job a view started, outside `exportKeys.all` so refreshing the exports
 * never forgets it. */
export const exportJobKeys = {
  register: (exportId: number) => ['export-jobs', 'register', exportId] as const,
};

export async function fetchExportsPage(modelId: number | null, cursor: string | null, signal?: AbortSignal) {
  const query: ExportsListExportsData['query'] = {
    limit: EXPORTS_PAGE_SIZE,
    ...(modelId !== null ? { model_id: modelId } : {}),
    ...(cursor ? { cursor } : {}),
  };
  return (await exportsListExports({ query, signal, throwOnError: true })).data;
}

export async function fetchExport(id: number, signal?: AbortSignal) {
  return (await exportsGetExport({ path: { export_id: id }, signal, throwOnError: true })).data;
}

/** Queues an `export` job (202); a bad option is refused at once with the field it names. */
export async function createExport(config: ExportConfig) {
  return (await exportsCreateExport({ body: config, throwOnError: true })).data;
}

export async function deleteExport(id: number): Promise<void> {
  await exportsDeleteExport({ path: { export_id: id }, throwOnError: true });
}

/** Queues an `export.register` job; without a name the model is named after the export. */
export async function registerExport(id: number, name: string | null) {
  return (await exportsRegisterExport({ path: { export_id: id }, body: name ? { name } : undefined, throwOnError: true })).data;
}

/** One file (or a folder as a tar archive) of an export, read whole through the generated
 * client, which sends the API token: for servers that need one, where a plain link cannot. */
export async function fetchExportFile(id: number, file: string | null) {
  const { data } = await exportsDownloadExport({
    path: { export_id: id },
    query: file === null ? {} : { file },
    parseAs: 'blob',
    throwOnError: true,
  });
  return data as Blob;
}
