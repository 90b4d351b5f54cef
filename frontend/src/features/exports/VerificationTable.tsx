import { Badge, Stack, Table, Text } from '@mantine/core';
import type { ExportReport } from '../../api/types.gen';
import { formatSeconds } from '../../components/format';
import { type Verdict, verificationRows } from './verificationRows';

const VERDICTS: Record<Verdict, { label: string; color: string }> = {
  passed: { label: 'Passed', color: 'teal' },
  failed: { label: 'Failed', color: 'red' },
  reported: { label: 'Reported', color: 'gray' },
};

/** "merge 1.2 s · write < 0.1 s · verify 2.4 s · total 4 s". */
function timings(seconds: ExportReport['seconds']): string {
  return Object.entries(seconds ?? {})
    .map(([phase, value]) => `${phase} ${value < 0.05 ? '< 0.1 s' : formatSeconds(value)}`)
    .join(' · ');
}

/** The export loaded back and compared with the fine-tuned model: each check's number, the limit
 * it is held to and whether it passed; checks that only report have no limit. */
export function VerificationTable({ report }: { report: ExportReport }) {
  const rows = verificationRows(report.verification);
  const failed = rows.filter((row) => row.verdict === 'failed').length;
  const time = timings(report.seconds);
  return (
    <Stack gap="xs">
      <Text size="sm" role="status" c={failed > 0 ? 'red' : undefined}>
        {rows.length === 0
          ? 'This export ran no verification checks.'
          : failed > 0
            ? `${failed} of ${rows.length} checks failed: the artifact may not reproduce the fine-tuned model.`
            : 'Every check passed: the artifact, loaded back, reproduces the fine-tuned model.'}
      </Text>
      {rows.length > 0 ? (
        <Table.ScrollContainer minWidth={560}>
          <Table fz="sm" verticalSpacing={6} aria-label="Verification">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Check</Table.Th>
                <Table.Th scope="col">Measured</Table.Th>
                <Table.Th scope="col">Limit</Table.Th>
                {/* Wide enough for the badges: a narrow dialog squeezes the other columns instead. */}
                <Table.Th scope="col" w={110}>
                  Result
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr key={row.key} data-testid={`check-${row.key}`}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {row.label}
                    </Text>
                    {row.details.length > 0 ? (
                      <Text size="xs" c="dimmed">
                        {row.details.join(' · ')}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td ff="monospace">{row.measured}</Table.Td>
                  <Table.Td ff="monospace">{row.limit}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={VERDICTS[row.verdict].color}>
                      {VERDICTS[row.verdict].label}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
      {time ? (
        <Text size="xs" c="dimmed">
          Time: {time}
        </Text>
      ) : null}
    </Stack>
  );
}
