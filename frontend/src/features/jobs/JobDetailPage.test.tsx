import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { JobOut } from '../../api/types.gen';
import { errorBody } from '../../test/fixtures';
import { controlledEvents, finishedJob, logEndpoint, makeJob, runningJob } from '../../test/jobs';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';

/** GET /api/jobs/{id} answering whatever `state.job` holds. */
function jobEndpoint(initial: JobOut) {
  const state = { job: initial };
  const handler = http.get(`*/api/jobs/${initial.id}`, () => HttpResponse.json(state.job));
  return { handler, state };
}

describe('Job page', () => {
  it('shows the job: status, kind, parameters, timestamps, worker and result', async () => {
    const job = finishedJob('succeeded', {
      id: 5,
      kind: 'model.pull',
      params: { key: 'smollm2-135m-instruct' },
      result: { model_id: 1 },
      idempotency_key: 'pull-abc',
    });
    server.use(jobEndpoint(job).handler, logEndpoint(5, '').handler);
    renderApp('/jobs/5');

    expect(await screen.findByRole('heading', { name: 'Job #5', level: 1 })).toBeInTheDocument();
    expect(screen.getByText('Succeeded')).toBeInTheDocument();
    expect(screen.getByLabelText('Job parameters')).toHaveTextContent('"key": "smollm2-135m-instruct"');
    expect(screen.getByLabelText('Job result')).toHaveTextContent('"model_id": 1');
    expect(screen.getByRole('link', { name: 'Open model' })).toHaveAttribute('href', '/models?model=1');
    const facts = screen.getByRole('table', { name: 'Details of job 5' });
    expect(facts).toHaveTextContent('Model pull (model.pull)');
    expect(facts).toHaveTextContent('worker-1');
    expect(facts).toHaveTextContent('42 s');
    expect(facts).toHaveTextContent('auxiliary slot, no GPU, small memory');
    expect(facts).toHaveTextContent('pull-abc');
    expect(await screen.findByText('This job wrote no log output.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancel job' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
  });

  it('follows a running job: progress and log lines stream in, then it settles', async () => {
    const endpoint = jobEndpoint(runningJob({ id: 6 }));
    const events = controlledEvents(6);
    const log = logEndpoint(6, '10:00:00 started\n');
    server.use(endpoint.handler, events.handler, log.handler);
    renderApp('/jobs/6');

    const viewer = await screen.findByRole('log', { name: 'Log of job 6' });
    expect(viewer).toHaveTextContent('10:00:00 started');
    expect(await screen.findByText('Live')).toBeInTheDocument();

    events.send('progress', { completed: 4, total: 10, message: 'step 4 of 10' });
    const bar = await screen.findByRole('progressbar', { name: 'Job 6: step 4 of 10' });
    expect(bar).toHaveAttribute('aria-valuenow', '40');

    log.log.text += '10:00:01 step 4\n';
    events.send('log', { line: 'step 4' });
    await waitFor(() => expect(viewer).toHaveTextContent('10:00:01 step 4'));

    // A keep-alive comment and an event split across writes change nothing.
    events.sendRaw(': ping\n\n');
    const progress = 'event: progress\ndata: {"id":99,"job_id":6,"type":"progress","data":{"completed":9,"total":10,"message":"step 9 of 10"},"created_at":"2026-01-01T00:00:00Z"}\n\n';
    events.sendRaw(`id: 99\n${progress.slice(0, 40)}`);
    events.sendRaw(progress.slice(40));
    expect(await screen.findByRole('progressbar', { name: 'Job 6: step 9 of 10' })).toBeInTheDocument();

    endpoint.state.job = finishedJob('succeeded', { id: 6 });
    log.log.text += '10:00:02 done\n';
    log.log.complete = true;
    events.send('status', { status: 'succeeded', from: 'running' });
    events.close();
    expect(await screen.findByText('Succeeded')).toBeInTheDocument();
    await waitFor(() => expect(viewer).toHaveTextContent('10:00:02 done'));
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    expect(screen.queryByText('Live')).not.toBeInTheDocument();
    expect(events.requests).toEqual([null]);
  });

  it('reconnects with the last event id after the connection drops', async () => {
    const endpoint = jobEndpoint(runningJob({ id: 7 }));
    const events = controlledEvents(7);
    server.use(endpoint.handler, events.handler, logEndpoint(7).handler);
    renderApp('/jobs/7');
    await screen.findByText('Live');
    events.send('progress', { completed: 1, total: 4, message: 'step 1 of 4' });
    await screen.findByRole('progressbar', { name: 'Job 7: step 1 of 4' });
    events.drop();
    expect(await screen.findByText('Reconnecting')).toBeInTheDocument();
    await waitFor(() => expect(events.requests).toHaveLength(2), { timeout: 4000 });
    const [first, resumed] = events.requests;
    expect(first).toBeNull();
    expect(Number(resumed)).toBeGreaterThan(0);
    events.send('progress', { completed: 2, total: 4, message: 'step 2 of 4' });
    expect(await screen.findByRole('progressbar', { name: 'Job 7: step 2 of 4' })).toBeInTheDocument();
  });

  it('cancels a running job only after confirmation', async () => {
    const endpoint = jobEndpoint(runningJob({ id: 8 }));
    const cancels: string[] = [];
    server.use(
      endpoint.handler,
      controlledEvents(8).handler,
      logEndpoint(8).handler,
      http.post('*/api/jobs/:id/cancel', ({ params }) => {
        cancels.push(String(params.id));
        endpoint.state.job = { ...endpoint.state.job, cancel_requested: true };
        return HttpResponse.json(endpoint.state.job);
      }),
    );
    const user = userEvent.setup();
    renderApp('/jobs/8');

    await user.click(await screen.findByRole('button', { name: 'Cancel job' }));
    const modal = await screen.findByRole('dialog', { name: 'Cancel job #8?' });
    expect(modal).toHaveTextContent('stops at its next step');
    await user.click(within(modal).getByRole('button', { name: 'Keep running' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(cancels).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Cancel job' }));
    const again = await screen.findByRole('dialog', { name: 'Cancel job #8?' });
    await user.click(within(again).getByRole('button', { name: 'Cancel job' }));
    expect(await screen.findByText('Cancelling')).toBeInTheDocument();
    expect(cancels).toEqual(['8']);
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(screen.queryByRole('button', { name: 'Cancel job' })).not.toBeInTheDocument();
  });

  it("reports a refused cancel with the API's message", async () => {
    server.use(
      jobEndpoint(makeJob({ id: 9 })).handler,
      controlledEvents(9).handler,
      logEndpoint(9).handler,
      http.post('*/api/jobs/9/cancel', () =>
        HttpResponse.json(errorBody('conflict', 'job 9 already succeeded'), { status: 409 }),
      ),
    );
    const user = userEvent.setup();
    renderApp('/jobs/9');
    await user.click(await screen.findByRole('button', { name: 'Cancel job' }));
    const modal = await screen.findByRole('dialog', { name: 'Cancel job #9?' });
    expect(modal).toHaveTextContent('has not started');
    await user.click(within(modal).getByRole('button', { name: 'Cancel job' }));
    expect(await screen.findByText('job 9 already succeeded')).toBeInTheDocument();
  });

  it("shows a failed job's error and retries it", async () => {
    const failed = finishedJob('failed', {
      id: 10,
      error: { code: 'handler_error', message: 'RuntimeError: out of disk space' },
    });
    const endpoint = jobEndpoint(failed);
    const retries: string[] = [];
    server.use(
      endpoint.handler,
      controlledEvents(10).handler,
      logEndpoint(10, 'Traceback: out of disk space\n').handler,
      http.post('*/api/jobs/:id/retry', ({ params }) => {
        retries.push(String(params.id));
        endpoint.state.job = makeJob({ id: 10, attempts: 1 });
        return HttpResponse.json(endpoint.state.job);
      }),
    );
    const user = userEvent.setup();
    renderApp('/jobs/10');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('This job failed');
    expect(alert).toHaveTextContent('RuntimeError: out of disk space');
    expect(alert).toHaveTextContent('handler_error');
    expect(await screen.findByRole('log', { name: 'Log of job 10' })).toHaveTextContent('Traceback');

    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('Queued')).toBeInTheDocument();
    expect(retries).toEqual(['10']);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Cancel job' })).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Job 10: Waiting for a worker…' })).toBeInTheDocument();
  });

  it('copies the log', async () => {
    server.use(
      jobEndpoint(finishedJob('succeeded', { id: 11 })).handler,
      logEndpoint(11, 'line one\nline two\n').handler,
    );
    const user = userEvent.setup();
    renderApp('/jobs/11');
    await screen.findByRole('log', { name: 'Log of job 11' });
    await user.click(screen.getByRole('button', { name: 'Copy log' }));
    expect(await navigator.clipboard.readText()).toBe('line one\nline two\n');
    expect(await screen.findByRole('button', { name: 'Log copied' })).toBeInTheDocument();
  });

  it('links a training job to its run page', async () => {
    server.use(jobEndpoint(finishedJob('succeeded', { id: 12, kind: 'train' })).handler, logEndpoint(12).handler);
    renderApp('/jobs/12');
    expect(await screen.findByRole('link', { name: 'Open training run' })).toHaveAttribute('href', '/training/12');
    expect(screen.getByText('Training run')).toBeInTheDocument();
  });

  it('links a finished export job to its export', async () => {
    const job = finishedJob('succeeded', { id: 13, kind: 'export', params: { source: 'chat-lora' }, result: { export_id: 3 } });
    server.use(jobEndpoint(job).handler, logEndpoint(13).handler);
    renderApp('/jobs/13');
    expect(await screen.findByRole('link', { name: 'Open export' })).toHaveAttribute('href', '/exports/3');
    expect(screen.getByRole('table', { name: 'Details of job 13' })).toHaveTextContent('Export (export)');
  });

  it("shows the API's message for a job that does not exist", async () => {
    server.use(
      http.get('*/api/jobs/404', () => HttpResponse.json(errorBody('not_found', 'job 404 not found'), { status: 404 })),
    );
    renderApp('/jobs/404');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load job #404');
    expect(alert).toHaveTextContent('job 404 not found');
  });

  it('says so for an address that is not a job id', async () => {
    renderApp('/jobs/abc');
    expect(await screen.findByRole('status', { name: 'No such job' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'All jobs' })).toHaveAttribute('href', '/jobs');
  });
});
