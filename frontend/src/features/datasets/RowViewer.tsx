import { Button, Group, Stack, Text } from '@mantine/core';
import { IconLayoutRows } from '@tabler/icons-react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadingState } from '../../components/LoadingState';
import { formatInteger } from '../../components/format';
import { DatasetRowView } from './DatasetRowView';
import type { StoredFormat } from './formats';
import { useDatasetRows } from './queries';
import './datasets.css';

/** First guess of a row's height before it is measured, per format. */
const ESTIMATED_HEIGHT: Record<StoredFormat, number> = {
  messages: 220,
  preference: 260,
  text: 120,
  table: 160,
};
/** Start reading the next page this many rows before the end of the loaded ones. */
const PREFETCH_ROWS = 10;

interface RowViewerProps {
  datasetId: number;
  version: number;
  format: StoredFormat;
}

/** A version's rows, read page by page (cursor) as the list is scrolled or on "Load more", and
 * virtualised: only the rows in view (and a few around them) are in the page, so a long
 * dataset scrolls as smoothly as a short one. */
export function RowViewer({ datasetId, version, format }: RowViewerProps) {
  const rows = useDatasetRows(datasetId, version);
  const scrollRef = useRef<HTMLDivElement>(null);
  const items = useMemo(() => rows.data?.pages.flatMap((page) => page.rows) ?? [], [rows.data]);
  const total = rows.data?.pages[0]?.total ?? 0;

  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_HEIGHT[format] ?? 180,
    overscan: 4,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastShown = virtualRows.at(-1)?.index ?? -1;

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = rows;
  useEffect(() => {
    if (lastShown >= 0 && lastShown >= items.length - PREFETCH_ROWS && hasNextPage && !isFetchingNextPage) {
      void fetchNextPage();
    }
  }, [lastShown, items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (rows.isPending) return <LoadingState label="Loading rows…" />;
  if (rows.isError) {
    return <ErrorAlert title="Could not load the rows" error={rows.error} onRetry={() => void rows.refetch()} />;
  }
  if (items.length === 0) {
    return (
      <EmptyState icon={<IconLayoutRows size={26} />} title="No rows">
        This version has no rows. Upload a file with valid records as a new version; the Report tab says why rows
        were skipped.
      </EmptyState>
    );
  }

  const first = virtualRows[0]?.start ?? 0;
  return (
    <Stack gap="xs">
      <div
        ref={scrollRef}
        className="dataset-rows"
        // Focusable so the keyboard can scroll it (arrows, Page Up/Down, Home/End).
        tabIndex={0}
        role="feed"
        aria-label="Rows"
        aria-busy={isFetchingNextPage}
        data-testid="dataset-rows"
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
          <div style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${first}px)` }}>
            {virtualRows.map((virtualRow) => {
              const row = items[virtualRow.index];
              if (!row) return null;
              const number = virtualRow.index + 1;
              return (
                <article
                  key={virtualRow.key}
                  data-index={virtualRow.index}
                  ref={virtualizer.measureElement}
                  className="dataset-row"
                  aria-posinset={number}
                  aria-setsize={total}
                  aria-labelledby={`dataset-row-${number}`}
                  data-testid="dataset-row"
                >
                  <Text size="xs" c="dimmed" fw={600} mb={6} id={`dataset-row-${number}`}>
                    Row {formatInteger(number)}
                  </Text>
                  <DatasetRowView row={row} format={format} />
                </article>
              );
            })}
          </div>
        </div>
      </div>
      <Group justify="space-between" gap="sm">
        <Text size="sm" c="dimmed" role="status" aria-live="polite" data-testid="rows-loaded">
          Showing {formatInteger(items.length)} of {formatInteger(total)} rows
        </Text>
        {hasNextPage ? (
          <Button variant="default" size="xs" onClick={() => void fetchNextPage()} loading={isFetchingNextPage}>
            Load more rows
          </Button>
        ) : (
          <Text size="xs" c="dimmed">
            All rows loaded
          </Text>
        )}
      </Group>
    </Stack>
  );
}
