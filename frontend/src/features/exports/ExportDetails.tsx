import { Badge, Group, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { ExportDetail } from '../../api/types.gen';
import { formatBytes, formatDateTime, formatRelativeTime } from '../../components/format';
import { AnchorLink } from '../../components/RouterLinks';
import { PrimaryDownloadButton } from './DownloadLinks';
import { ExportFilesTable } from './ExportFilesTable';
import { canRegister, kindLabel } from './exportText';
import { ModelfileBlock } from './ModelfileBlock';
import { RegisterSection } from './RegisterSection';
import { VerificationTable } from './VerificationTable';

export function VerifiedBadge({ passed, size = 'sm' }: { passed: boolean; size?: 'sm' | 'md' }) {
  return (
    <Badge color={passed ? 'teal' : 'red'} variant="light" size={size}>
      {passed ? 'Verified' : 'Verification failed'}
    </Badge>
  );
}

function Section({ id, title, order, children }: { id: string; title: string; order: 2 | 3; children: ReactNode }) {
  return (
    <Stack gap="xs" component="section" aria-labelledby={id}>
      <Title order={order} size="h5" id={id}>
        {title}
      </Title>
      {children}
    </Stack>
  );
}

/** One finished export: what it is, its download, the verification report, every file with its
 * checksum, the Ollama Modelfile (GGUF), and registering it as a model (merged, GGUF).
 * `headingOrder` is the level of its section headings on the page it sits in. */
export function ExportDetails({ item, headingOrder }: { item: ExportDetail; headingOrder: 2 | 3 }) {
  const primaryFile = item.primary_is_folder ? null : item.files.find((file) => file.path === item.primary);
  const sectionId = (name: string) => `export-${item.id}-${name}`;
  return (
    <Stack gap="lg">
      <Stack gap="xs">
        <Group gap="xs">
          <Badge variant="light" color="grape">
            {kindLabel(item)}
          </Badge>
          <VerifiedBadge passed={item.passed} />
          <Text size="sm" c="dimmed">
            {formatBytes(item.size_bytes)} in {item.files.length} file{item.files.length === 1 ? '' : 's'} ·{' '}
            <span title={formatDateTime(item.created_at)}>{formatRelativeTime(item.created_at)}</span>
            {item.source_model_name && item.source_model_id !== null ? (
              <>
                {' '}
                · from adapter{' '}
                <AnchorLink to="/models" search={{ model: item.source_model_id }} size="sm">
                  {item.source_model_name}
                </AnchorLink>
              </>
            ) : null}
          </Text>
        </Group>
        <Group>
          <PrimaryDownloadButton item={item} size={primaryFile?.size_bytes ?? null} />
        </Group>
      </Stack>
      <Section id={sectionId('verification')} title="Verification" order={headingOrder}>
        <VerificationTable report={item.report} />
      </Section>
      <Section id={sectionId('files')} title="Files" order={headingOrder}>
        <ExportFilesTable exportId={item.id} files={item.files} />
      </Section>
      {item.modelfile ? (
        <Section id={sectionId('modelfile')} title="Ollama Modelfile" order={headingOrder}>
          <ModelfileBlock modelfile={item.modelfile} modelName={item.name.toLowerCase()} />
        </Section>
      ) : null}
      {canRegister(item) ? (
        <Section id={sectionId('register')} title="Use it as a model" order={headingOrder}>
          <RegisterSection item={item} />
        </Section>
      ) : null}
    </Stack>
  );
}
