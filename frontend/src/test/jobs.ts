import { http, HttpResponse } from 'msw';
import type { JobEventOut, JobOut } from '../api/types.gen';
import { sseResponse } from './server';
import { controlledStream } from './streams';

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

export function makeJob(overrides: Partial<JobOut> = {}): JobOut {
  return {
    id: 1,
    kind: 'sleep',
    params: { seconds: 30, steps: 10 },
    status: 'queued',
    priority: 0,
    attempts: 0,
    max_attempts: 3,
    worker_id: null,
    cancel_requested: false,
    idempotency_key: null,
    resources: { gpus: 0, slot: 'aux', memory: 'small' },
    result: null,
    error: null,
    progress: null,
    created_at: minutesAgo(3),
    started_at: null,
    finished_at: null,
    heartbeat_at: null,
    ...overrides,
  };
}

export function runningJob(overrides: Partial<JobOut> = {}): JobOut {
  return makeJob({
    status: 'running',
    attempts: 1,
    worker_id: 'worker-1',
    started_at: minutesAgo(2),
    heartbeat_at: minutesAgo(0),
    ...overrides,
  });
}

export function finishedJob(status: 'succeeded' | 'failed' | 'cancelled', overrides: Partial<JobOut> = {}): JobOut {
  const started = Date.parse(minutesAgo(3));
  return makeJob({
    status,
    attempts: 1,
    worker_id: 'worker-1',
    started_at: new Date(started).toISOString(),
    finished_at: new Date(started + 42_000).toISOString(),
    ...overrides,
  });
}

export function pageOf(items: JobOut[], nextCursor: string | null = null) {
  return { items, next_cursor: nextCursor };
}

let nextEventId = 1;

/** One SSE frame of a job event, as the server writes it. */
export function eventFrame(jobId: number, type: JobEventOut['type'], data: Record<string, unknown>): string {
  const id = nextEventId;
  nextEventId += 1;
  const event: JobEventOut = { id, job_id: jobId, type, data, created_at: new Date().toISOString() };
  return `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** The events endpoint of one job, fed by the test; `requests` records each connection's
 * resume point (the `after` query or Last-Event-ID header). */
export function controlledEvents(jobId: number) {
  let current = controlledStream();
  const requests: Array<string | null> = [];
  const handler = http.get(`*/api/jobs/${jobId}/events`, ({ request }) => {
    const url = new URL(request.url);
    requests.push(url.searchParams.get('after') ?? request.headers.get('Last-Event-ID'));
    if (requests.length > 1) current = controlledStream();
    return sseResponse(current.stream);
  });
  return {
    handler,
    requests,
    send: (type: JobEventOut['type'], data: Record<string, unknown>) => current.send(eventFrame(jobId, type, data)),
    sendRaw: (text: string) => current.send(text),
    close: () => current.close(),
    drop: () => current.fail(),
  };
}

/** The log endpoint of one job, serving `log.text` from the requested offset. */
export function logEndpoint(jobId: number, initial = '') {
  const log = { text: initial, complete: false };
  const handler = http.get(`*/api/jobs/${jobId}/logs`, ({ request }) => {
    const offset = Number(new URL(request.url).searchParams.get('offset') ?? 0);
    const content = log.text.slice(offset);
    return HttpResponse.json({
      content,
      offset,
      next_offset: offset + content.length,
      complete: log.complete,
    });
  });
  return { handler, log };
}
