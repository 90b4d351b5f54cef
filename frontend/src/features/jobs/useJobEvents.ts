import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { followEventStream, type StreamState } from '../../lib/followEventStream';
import { openJobEvents } from './api';
import { applyJobEvent, parseJobEvent } from './jobCache';
import { jobQuery } from './queries';
import { isActive } from './status';

export type JobStreamState = StreamState | 'idle' | 'failed';

export interface JobStream {
  state: JobStreamState;
  error: unknown;
}

const IDLE: JobStream = { state: 'idle', error: null };

/** Follows a job's event stream while `enabled` (the job is queued or running), folding each
 * event into the query cache. When the stream ends, the job is read again: only a finished job
 * ends the subscription (a retried job goes on with the events after the last one seen). */
export function useJobEvents(jobId: number | undefined, enabled: boolean): JobStream {
  const queryClient = useQueryClient();
  const [stream, setStream] = useState<JobStream>(IDLE);

  useEffect(() => {
    if (jobId === undefined || !enabled) return undefined;
    const controller = new AbortController();
    const finished = async () => {
      const job = await queryClient.fetchQuery({ ...jobQuery(jobId), staleTime: 0 });
      return !isActive(job.status);
    };
    followEventStream({
      open: (lastEventId, signal) => openJobEvents(jobId, lastEventId, signal),
      onMessage: (message) => {
        const event = parseJobEvent(message.data);
        if (event) applyJobEvent(queryClient, event);
      },
      isComplete: finished,
      signal: controller.signal,
      onStateChange: (state) => setStream({ state, error: null }),
    }).then(
      () => {
        if (!controller.signal.aborted) setStream(IDLE);
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setStream({ state: 'failed', error });
      },
    );
    return () => controller.abort();
  }, [jobId, enabled, queryClient]);

  return enabled ? stream : IDLE;
}
