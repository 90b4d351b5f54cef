import { useEffect, useRef } from 'react';
import type { JobOut } from '../../api/types.gen';
import { isActive } from './status';

/** Calls `onSettled` once when this view sees the job go from queued or running to finished
 * (not for a job that had already finished when the view first saw it). */
export function useJobSettled(job: JobOut | undefined, onSettled: (job: JobOut) => void): void {
  const seen = useRef<Pick<JobOut, 'id' | 'status'> | null>(null);
  const callback = useRef(onSettled);
  useEffect(() => {
    callback.current = onSettled;
  });
  useEffect(() => {
    const previous = seen.current;
    seen.current = job ? { id: job.id, status: job.status } : null;
    if (job && previous?.id === job.id && isActive(previous.status) && !isActive(job.status)) callback.current(job);
  }, [job]);
}
