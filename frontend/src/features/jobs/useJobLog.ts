import { useQuery, useQueryClient } from '@tanstack/react-query';
import { fetchJobLog, jobKeys } from './api';

export interface JobLog {
  content: string;
  nextOffset: number;
  /** The job has finished and everything it wrote has been read. */
  complete: boolean;
  /** The last read returned nothing new. */
  caughtUp: boolean;
}

/** Reads per fetch at most this many chunks, so a long log shows up part by part. */
const READS_PER_FETCH = 8;
/** While the job runs, log events trigger reads; this poll only covers a missed one. */
const LIVE_POLL_MS = 5000;
/** A finished job's log is complete after its last lines are flushed. */
const SETTLE_POLL_MS = 1000;
const CATCH_UP_MS = 50;

const EMPTY: JobLog = { content: '', nextOffset: 0, complete: false, caughtUp: false };

/** The job's log, read incrementally from the offset the previous read ended at. */
export function useJobLog(jobId: number, jobActive: boolean) {
  const queryClient = useQueryClient();
  const queryKey = jobKeys.log(jobId);
  return useQuery({
    queryKey,
    queryFn: async ({ signal }) => {
      let log = queryClient.getQueryData<JobLog>(queryKey) ?? EMPTY;
      for (let read = 0; read < READS_PER_FETCH; read += 1) {
        const chunk = await fetchJobLog(jobId, log.nextOffset, signal);
        // `complete`: the job has finished and this read reached the end of its log.
        const caughtUp = chunk.complete || chunk.content === '';
        log = {
          content: log.content + chunk.content,
          nextOffset: chunk.next_offset,
          complete: chunk.complete,
          caughtUp,
        };
        if (caughtUp) break;
      }
      return log;
    },
    staleTime: Infinity,
    refetchInterval: (query) => {
      const log = query.state.data;
      if (!log) return false;
      if (!log.caughtUp) return CATCH_UP_MS;
      if (jobActive) return LIVE_POLL_MS;
      return log.complete ? false : SETTLE_POLL_MS;
    },
  });
}
