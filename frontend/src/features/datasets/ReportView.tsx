import { Alert, Badge, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconFileReport, IconSearch } from '@tabler/icons-react';
import { useDeferredValue, useMemo, useState } from 'react';
import type { DetectionReport } from '../../api/types.gen';
import { EmptyState } from '../../components/EmptyState';
import { FactList } from '../../components/FactList';
import { formatInteger } from '../../components/format';
import { fileTypeLabel, sourceFormatLabel } from './formats';
import './datasets.css';

/** One skipped row of the file: its line (null for Parquet), record number and reason. */
export type Problem = DetectionReport['problems'][number];

/** Problems whose line, record number or reason contain the query (case-insensitive). */
export function filterProblems(problems: Problem[], query: string): Problem[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return problems;
  return problems.filter(
    (problem) =>
      problem.reason.toLowerCase().includes(needle) ||
      String(problem.line ?? '') === needle ||
      String(problem.record) === needle,
  );
}

/** Every problem the report lists, with its line and reason, filterable; and how many more
 * there were when the list was capped. */
export function ProblemsTable({ report }: { report: DetectionReport }) {
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query);
  const shown = useMemo(() => filterProblems(report.problems, deferred), [report.problems, deferred]);
  const listed = report.problems.length;
  const unlisted = Math.max(0, report.problem_count - listed);

  if (report.problem_count === 0) {
    return (
      <Alert color="teal" variant="light" icon={<IconCircleCheck aria-hidden />} title="No problems">
        Every record in the file was read and kept.
      </Alert>
    );
  }

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end" gap="sm">
        <TextInput
          label="Filter problems"
          description="A line or record number, or words of the reason."
          placeholder="e.g. 42 or invalid JSON"
          leftSection={<IconSearch size={16} aria-hidden />}
          value={query}
          onChange={(event) => setQuery(event.currentTarget.value)}
          w={{ base: '100%', sm: 360 }}
        />
        <Text size="sm" c="dimmed" role="status" aria-live="polite" data-testid="problems-shown">
          {query.trim()
            ? `${formatInteger(shown.length)} of ${formatInteger(listed)} listed problems match`
            : `${formatInteger(listed)} problem${listed === 1 ? '' : 's'} listed`}
        </Text>
      </Group>
      {shown.length === 0 ? (
        <Text size="sm" c="dimmed">
          No listed problem matches “{query.trim()}”.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={560} maxHeight={560}>
          <Table striped stickyHeader fz="sm" verticalSpacing={6} aria-label="Problems" className="problems-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col" ta="right">
                  Line
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Record
                </Table.Th>
                <Table.Th scope="col">Reason</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((problem) => (
                <Table.Tr key={`${problem.record}:${problem.line ?? ''}:${problem.reason}`} data-testid="problem-row">
                  <Table.Td ta="right" ff="monospace">
                    {problem.line ?? '—'}
                  </Table.Td>
                  <Table.Td ta="right" ff="monospace">
                    {problem.record}
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{problem.reason}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {unlisted > 0 ? (
        <Text size="sm" c="dimmed" data-testid="problems-unlisted">
          {formatInteger(unlisted)} more not listed: the report keeps the first {formatInteger(listed)} of{' '}
          {formatInteger(report.problem_count)} problems.
        </Text>
      ) : null}
    </Stack>
  );
}

/** What the import found in the file: its type, the format detected and the one stored, the
 * counts of rows read, kept and skipped, and every problem with its line. */
export function ReportView({ report }: { report: DetectionReport | null }) {
  if (!report) {
    return (
      <EmptyState icon={<IconFileReport size={26} />} title="No detection report">
        This version was not imported from a file (a recipe wrote it), so there is no report of what was detected.
        Its rows and stats are in the other tabs.
      </EmptyState>
    );
  }
  const { rows } = report;
  return (
    <Stack gap="md">
      <FactList
        label="Detection report"
        facts={[
          { label: 'File type', value: fileTypeLabel(report.file_type) },
          {
            label: 'Format',
            value: (
              <Group gap={6} component="span" wrap="wrap">
                <span>Detected {sourceFormatLabel(report.format)}</span>
                <span aria-hidden>→</span>
                <span>stored as {report.canonical_format}</span>
              </Group>
            ),
          },
          { label: 'Columns seen', value: report.columns.length ? report.columns.join(', ') : '—', mono: true },
          { label: 'Records read', value: formatInteger(rows.total) },
          { label: 'Rows kept', value: formatInteger(rows.valid) },
          {
            label: 'Rows skipped',
            value: (
              <Group gap={6} component="span">
                <span>{formatInteger(rows.skipped)}</span>
                {rows.skipped > 0 ? (
                  <Badge color="orange" variant="light" size="sm" leftSection={<IconAlertTriangle size={12} aria-hidden />}>
                    see below
                  </Badge>
                ) : null}
              </Group>
            ),
          },
        ]}
      />
      <Stack gap="xs" component="section" aria-labelledby="problems-title">
        <Title order={3} size="h5" id="problems-title">
          Problems ({formatInteger(report.problem_count)})
        </Title>
        <ProblemsTable report={report} />
      </Stack>
    </Stack>
  );
}
