import { useJob } from './queries';
import { isActive } from './status';
import { useJobEvents } from './useJobEvents';

/** A job from the cache, kept current by its event stream while it is queued or running. */
export function useLiveJob(jobId: number | undefined) {
  const job = useJob(jobId);
  const stream = useJobEvents(jobId, job.data ? isActive(job.data.status) : false);
  return { job, stream };
}
