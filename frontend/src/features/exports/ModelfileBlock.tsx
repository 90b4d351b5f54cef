import { ActionIcon, Code, CopyButton, Group, Stack, Text, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';

/** The Ollama Modelfile of a GGUF export, with a copy button and how to use it. */
export function ModelfileBlock({ modelfile, modelName }: { modelfile: string; modelName: string }) {
  return (
    <Stack gap={6}>
      <Group justify="space-between" gap="xs">
        <Text size="sm" c="dimmed">
          Save it as <Code>Modelfile</Code> beside the .gguf file, then run{' '}
          <Code>{`ollama create ${modelName} -f Modelfile`}</Code>.
        </Text>
        <CopyButton value={modelfile} timeout={1500}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : 'Copy the Modelfile'} withArrow>
              <ActionIcon variant="subtle" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label="Copy the Modelfile">
                {copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
      <Code block aria-label="Modelfile" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: 320, overflow: 'auto' }}>
        {modelfile}
      </Code>
    </Stack>
  );
}
