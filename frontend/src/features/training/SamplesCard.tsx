import { Card, Stack, Table, Text, Title } from '@mantine/core';
import type { JobOut, TrainingRunDetail } from '../../api/types.gen';

interface Sample {
  prompt: string;
  base: string;
  adapter: string;
}

function samplesOf(run: TrainingRunDetail): Sample[] {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return run.sample_generations.map((item) => ({ prompt: text(item.prompt), base: text(item.base), adapter: text(item.adapter) }));
}

function promptsOf(run: TrainingRunDetail): string[] {
  const prompts = run.config.sample_prompts;
  return Array.isArray(prompts) ? prompts.filter((prompt): prompt is string => typeof prompt === 'string') : [];
}

function emptyText(run: TrainingRunDetail, status: JobOut['status']): string {
  const prompts = promptsOf(run);
  if (prompts.length === 0) return 'This run has no sample prompts.';
  if (status === 'succeeded') return 'This run recorded no sample generations.';
  return `When the run finishes, its ${prompts.length} sample prompt${prompts.length === 1 ? ' is' : 's are'} answered by the base model and by the adapter, side by side here.`;
}

/** Before and after: each sample prompt answered by the base model and by the trained adapter. */
export function SamplesCard({ run, status }: { run: TrainingRunDetail; status: JobOut['status'] }) {
  const samples = samplesOf(run);
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="run-samples-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="run-samples-title">
          Sample generations
        </Title>
        {samples.length === 0 ? (
          <Text size="sm" c="dimmed" role="status">
            {emptyText(run, status)}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={720}>
            <Table layout="fixed" verticalSpacing="sm" aria-label="Sample generations" withColumnBorders>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col" w="24%">
                    Prompt
                  </Table.Th>
                  <Table.Th scope="col">Base model</Table.Th>
                  <Table.Th scope="col">With the adapter</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {samples.map((sample, index) => (
                  // Samples are a fixed list in the result: the index is a stable key.
                  <Table.Tr key={index}>
                    <Table.Td className="sample-text">{sample.prompt}</Table.Td>
                    <Table.Td className="sample-text">{sample.base}</Table.Td>
                    <Table.Td className="sample-text">{sample.adapter}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}
