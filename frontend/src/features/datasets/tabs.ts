/** The tabs of a dataset's page; the selected one is in the address (`?tab=`). */
export const DATASET_TABS = ['rows', 'report', 'stats', 'versions'] as const;
export type DatasetTab = (typeof DATASET_TABS)[number];

export function isDatasetTab(value: unknown): value is DatasetTab {
  return typeof value === 'string' && (DATASET_TABS as readonly string[]).includes(value);
}
