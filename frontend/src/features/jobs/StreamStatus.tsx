import { Badge, Tooltip } from '@mantine/core';
import { errorMessage } from '../../lib/apiError';
import type { JobStream } from './useJobEvents';

/** Whether the page is receiving the job's events as they happen. */
export function StreamStatus({ stream }: { stream: JobStream }) {
  switch (stream.state) {
    case 'live':
      return (
        <Badge variant="dot" color="teal" size="sm">
          Live
        </Badge>
      );
    case 'connecting':
    case 'reconnecting':
      return (
        <Badge variant="dot" color="yellow" size="sm">
          {stream.state === 'connecting' ? 'Connecting' : 'Reconnecting'}
        </Badge>
      );
    case 'failed':
      return (
        <Tooltip label={errorMessage(stream.error)} multiline w={280}>
          <Badge variant="dot" color="red" size="sm" tabIndex={0}>
            Live updates stopped
          </Badge>
        </Tooltip>
      );
    default:
      return null;
  }
}
