import { type QueryKey, skipToken, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { JobOut } from '../../api/types.gen';
import { jobKeys } from './api';
import { storeJob } from './jobCache';
import { useActiveJobs } from './queries';
import { useLiveJob } from './useLiveJob';

/** The latest job of one kind that a view follows: the one it started (kept in the query cache,
 * so leaving the page and coming back finds it) or a queued or running one that matches, started
 * before the page was opened. Newer jobs win; ids only grow. */
export function useTrackedJob(kind: string, trackKey: QueryKey, matches: (job: JobOut) => boolean) {
  const queryClient = useQueryClient();
  const { data: trackedId } = useQuery<number | null>({ queryKey: trackKey, queryFn: skipToken, staleTime: Infinity });
  const found = useActiveJobs(kind).data?.find(matches)?.id;
  const jobId = Math.max(trackedId ?? 0, found ?? 0) || undefined;
  const { job } = useLiveJob(jobId);

  const track = useCallback(
    (started: JobOut) => {
      void storeJob(queryClient, started);
      queryClient.setQueryData(trackKey, started.id);
      void queryClient.invalidateQueries({ queryKey: jobKeys.active(kind) });
    },
    [queryClient, trackKey, kind],
  );

  return { job: job.data, track };
}
