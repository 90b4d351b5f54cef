import type { TrainingRunOut } from '../../api/types.gen';

const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

/** The model and dataset a run trains on, as its config names them (with a pinned version). */
export function runTraining(run: Pick<TrainingRunOut, 'config'>): { model: string; dataset: string } {
  const { model, dataset, dataset_version: version } = run.config;
  const pinned = typeof version === 'number' && version > 0 ? ` v${version}` : '';
  return { model: text(model) || '—', dataset: text(dataset) ? `${text(dataset)}${pinned}` : '—' };
}

/** The adapter name the run was given, or null (the server derives one when it finishes). */
export function givenName(run: Pick<TrainingRunOut, 'config'>): string | null {
  return text(run.config.name) || null;
}

/** What the run trains ("tiny on identity v1"), after the adapter name it was given if any. */
export function runTitle(run: Pick<TrainingRunOut, 'config'>): string {
  const name = givenName(run);
  const { model, dataset } = runTraining(run);
  return name ? `${name}: ${model} on ${dataset}` : `${model} on ${dataset}`;
}
