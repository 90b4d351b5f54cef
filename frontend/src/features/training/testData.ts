/** Fixtures and msw handlers for the training tests. */
import { http, HttpResponse } from 'msw';
import type {
  CheckpointOut,
  Estimate,
  JobMetricPoint,
  JobOut,
  PresetOut,
  TrainingRunDetail,
  TrainingRunOut,
} from '../../api/types.gen';
import { smollm } from '../../test/fixtures';
import { makeJob } from '../../test/jobs';
import { sseResponse } from '../../test/server';
import { controlledStream } from '../../test/streams';
import { chatDataset } from '../datasets/testData';

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

export const runConfig: Record<string, unknown> = {
  model: 'smollm2-135m-instruct',
  dataset: 'chat',
  dataset_version: 1,
  name: null,
  max_steps: 40,
  save_steps: 10,
  sample_prompts: ['What is your name?'],
};

export function makeRun(overrides: Partial<TrainingRunOut> = {}): TrainingRunOut {
  return {
    id: 21,
    status: 'running',
    config: runConfig,
    progress: { completed: 12, total: 40, message: 'step 12', details: null },
    error: null,
    final_metrics: null,
    adapter_model_id: null,
    cancel_requested: false,
    created_at: minutesAgo(5),
    started_at: minutesAgo(4),
    finished_at: null,
    ...overrides,
  };
}

export const estimate: Estimate = {
  model: 'smollm2-135m-instruct',
  model_id: 1,
  precision: 'fp32',
  parameter_count: 134_515_008,
  weights_bytes: 538_060_032,
  adapter_bytes: 18_800_000,
  adapter_parameters: 4_700_000,
  gradient_bytes: 18_800_000,
  optimizer_state_bytes: 37_600_000,
  activation_bytes: 300_000_000,
  overhead_bytes: 536_870_912,
  peak_bytes: 1_450_130_944,
  device: 'cpu',
  device_name: 'Intel(R) Xeon(R) CPU',
  device_memory_bytes: 5_000_000_000,
  usable_memory_bytes: 4_500_000_000,
  fits: true,
  tokens_per_step: 2048,
  flops_per_step: 1.6e12,
  assumed_flops_per_second: 4e10,
  step_seconds: 41,
  train_rows: 120,
  total_steps: 40,
  total_seconds: 1640,
  suggestions: [],
  notes: ['Every example is assumed to be max_length tokens long.'],
};

export function runDetail(overrides: Partial<TrainingRunDetail> = {}): TrainingRunDetail {
  return { ...makeRun(), estimate, estimate_error: null, result: null, sample_generations: [], ...overrides };
}

/** The run's job as /api/jobs/{id} has it. */
export function runJob(run: TrainingRunOut, overrides: Partial<JobOut> = {}): JobOut {
  return makeJob({
    id: run.id,
    kind: 'train',
    params: run.config,
    status: run.status,
    attempts: 1,
    worker_id: 'worker-1',
    resources: { gpus: 0, slot: 'train', memory: 'large' },
    progress: run.progress,
    created_at: run.created_at,
    started_at: run.started_at,
    finished_at: run.finished_at,
    ...overrides,
  });
}

export const presets: PresetOut[] = [
  {
    name: 'quick-cpu-demo',
    values: { lora: { r: 8, alpha: 16, dropout: 0 }, max_length: 512, epochs: 3, learning_rate: 0.0005, precision: 'fp32' },
  },
  { name: 'balanced', values: { lora: { r: 16, alpha: 32 }, max_length: 2048, eval_fraction: 0.05, eval_steps: 100 } },
];

export const checkpoints: CheckpointOut[] = [
  { name: 'checkpoint-20', step: 20, size_bytes: 9_500_000, created_at: minutesAgo(1), complete: true, best: false },
  { name: 'checkpoint-10', step: 10, size_bytes: 9_500_000, created_at: minutesAgo(2), complete: true, best: true },
];

let nextPointId = 1;

/** Metric points of consecutive steps, as the train job writes them (one row per value). */
export function metricPoints(steps: number[], values: (step: number) => Record<string, number>): JobMetricPoint[] {
  return steps.flatMap((step) =>
    Object.entries(values(step)).map(([name, value]) => {
      const id = nextPointId;
      nextPointId += 1;
      return { id, step, name, value, created_at: new Date().toISOString() };
    }),
  );
}

export const trainStep = (step: number) => ({
  train_loss: 3 / step,
  learning_rate: 0.0005 * (1 - step / 40),
  grad_norm: 1.5,
  epoch: step / 40,
  tokens_per_s: 900 + step,
});

/** The model and dataset lists the form picks from. */
export const registryHandlers = [
  http.get('*/api/models', () => HttpResponse.json({ items: [smollm], next_cursor: null })),
  http.get('*/api/datasets', () => HttpResponse.json({ items: [chatDataset], next_cursor: null })),
  http.get('*/api/training/presets', () => HttpResponse.json(presets)),
];

/** GET /api/jobs/{id}/metrics serving `state.points` (one page). */
export function metricsEndpoint(jobId: number, initial: JobMetricPoint[] = []) {
  const state = { points: initial };
  const handler = http.get(`*/api/jobs/${jobId}/metrics`, ({ request }) => {
    const names = new URL(request.url).searchParams.getAll('name');
    const items = names.length > 0 ? state.points.filter((point) => names.includes(point.name)) : state.points;
    return HttpResponse.json({ items, next_cursor: null });
  });
  return { handler, state };
}

/** The metrics stream of one job, fed by the test; `requests` records each connection's `after`. */
export function controlledMetricEvents(jobId: number) {
  let current = controlledStream();
  const requests: Array<string | null> = [];
  const handler = http.get(`*/api/jobs/${jobId}/metrics/events`, ({ request }) => {
    requests.push(new URL(request.url).searchParams.get('after'));
    if (requests.length > 1) current = controlledStream();
    return sseResponse(current.stream);
  });
  const send = (points: JobMetricPoint[]) =>
    current.send(points.map((point) => `id: ${point.id}\nevent: metric\ndata: ${JSON.stringify(point)}\n\n`).join(''));
  return { handler, requests, send, close: () => current.close() };
}
