import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { JobMetricPoint } from '../../../api/types.gen';
import { followEventStream } from '../../../lib/followEventStream';
import { jobQuery } from '../../jobs/queries';
import { isActive } from '../../jobs/status';
import type { JobStream } from '../../jobs/useJobEvents';
import { fetchMetricPoints, openMetricEvents, trainingKeys } from '../api';
import { mergeMetrics, NO_METRICS, parseMetricPoint, type RunMetrics } from './runMetrics';

/** Points that arrive together (a replay, a fast run) go into the cache at most this often. */
const FLUSH_MS = 150;
const IDLE: JobStream = { state: 'idle', error: null };

/** A run's metrics: the points reported so far, read once (so a reload shows the whole curve),
 * then, once the job is queued or running, every new point from the metrics stream, appended to
 * the same query cache entry. The stream is followed until it ends by itself, not until the
 * page hears the job finished: the last points (the final eval) may still be on their way. */
export function useRunMetrics(jobId: number, jobActive: boolean) {
  const queryClient = useQueryClient();
  const queryKey = trainingKeys.metrics(jobId);
  const metrics = useQuery({
    queryKey,
    queryFn: async ({ signal }) => mergeMetrics(NO_METRICS, await fetchMetricPoints(jobId, [], signal)),
    // The stream keeps it current; reading everything again would only repeat it.
    staleTime: Infinity,
  });
  const [following, setFollowing] = useState(false);
  if (jobActive && metrics.isSuccess && !following) setFollowing(true);
  const [stream, setStream] = useState<JobStream>(IDLE);

  useEffect(() => {
    if (!following) return undefined;
    const key = trainingKeys.metrics(jobId);
    const controller = new AbortController();
    let pending: JobMetricPoint[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      clearTimeout(timer);
      timer = undefined;
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      queryClient.setQueryData<RunMetrics>(key, (current) => mergeMetrics(current ?? NO_METRICS, batch));
    };
    const lastId = () => Math.max(queryClient.getQueryData<RunMetrics>(key)?.lastId ?? 0, pending.at(-1)?.id ?? 0);

    followEventStream({
      open: (_lastEventId, signal) => openMetricEvents(jobId, lastId(), signal),
      onMessage: (message) => {
        const point = parseMetricPoint(message.data);
        if (!point) return;
        pending.push(point);
        timer ??= setTimeout(flush, FLUSH_MS);
      },
      isComplete: async () => {
        flush();
        const job = await queryClient.fetchQuery({ ...jobQuery(jobId), staleTime: 0 });
        return !isActive(job.status);
      },
      signal: controller.signal,
      onStateChange: (state) => setStream({ state, error: null }),
    }).then(
      () => {
        if (controller.signal.aborted) return;
        setStream(IDLE);
        setFollowing(false);
      },
      // Following stays on after a refusal, so a page without a token does not ask again and again.
      (error: unknown) => {
        if (!controller.signal.aborted) setStream({ state: 'failed', error });
      },
    );
    return () => {
      controller.abort();
      flush();
    };
  }, [following, jobId, queryClient]);

  return { metrics, stream: following ? stream : IDLE };
}
