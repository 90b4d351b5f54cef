import { ActionIcon, Box, Button, Card, CopyButton, Group, Skeleton, Stack, Text, Title, Tooltip } from '@mantine/core';
import { IconArrowDown, IconCheck, IconCopy } from '@tabler/icons-react';
import { memo, useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { terminalText } from './logText';
import { useJobLog } from './useJobLog';

/** How close to the bottom (px) still counts as following the log. */
const FOLLOW_SLACK_PX = 24;

interface JobLogViewerProps {
  jobId: number;
  active: boolean;
}

/** The job's log, growing as the job writes and shown as a terminal would; it keeps to the newest
 * line unless the reader has scrolled up to read something earlier. */
export const JobLogViewer = memo(function JobLogViewer({ jobId, active }: JobLogViewerProps) {
  const log = useJobLog(jobId, active);
  const raw = log.data?.content ?? '';
  const content = useMemo(() => terminalText(raw), [raw]);
  const viewport = useRef<HTMLPreElement>(null);
  const [following, setFollowing] = useState(true);

  useLayoutEffect(() => {
    const element = viewport.current;
    if (element && following) element.scrollTop = element.scrollHeight;
  }, [content, following]);

  const onScroll = useCallback(() => {
    const element = viewport.current;
    if (!element) return;
    setFollowing(element.scrollHeight - element.scrollTop - element.clientHeight <= FOLLOW_SLACK_PX);
  }, []);

  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="job-log-title">
      <Stack gap="sm">
        <Group justify="space-between" gap="xs">
          <Title order={2} size="h4" id="job-log-title">
            Log
          </Title>
          <Group gap="xs">
            {!following ? (
              <Button
                size="xs"
                variant="default"
                leftSection={<IconArrowDown size={14} aria-hidden />}
                onClick={() => setFollowing(true)}
              >
                Jump to latest
              </Button>
            ) : null}
            <CopyButton value={content} timeout={1500}>
              {({ copied, copy }) => (
                <Tooltip label={copied ? 'Copied' : 'Copy log'}>
                  <ActionIcon
                    variant="default"
                    onClick={copy}
                    disabled={!content}
                    aria-label={copied ? 'Log copied' : 'Copy log'}
                  >
                    {copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />}
                  </ActionIcon>
                </Tooltip>
              )}
            </CopyButton>
          </Group>
        </Group>
        {log.isPending ? (
          <Skeleton height={120} aria-label="Loading the log" />
        ) : log.isError ? (
          <ErrorAlert title="Could not read the log" error={log.error} onRetry={() => void log.refetch()} />
        ) : content === '' ? (
          <Text size="sm" c="dimmed" role="status">
            {active ? 'No output yet; lines appear here as the job writes them.' : 'This job wrote no log output.'}
          </Text>
        ) : (
          <Box
            component="pre"
            ref={viewport}
            onScroll={onScroll}
            className="job-log"
            role="log"
            aria-live="off"
            aria-label={`Log of job ${jobId}`}
            tabIndex={0}
          >
            {content}
          </Box>
        )}
      </Stack>
    </Card>
  );
});
