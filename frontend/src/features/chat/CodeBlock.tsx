import { ActionIcon, CopyButton, Group, Text, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';

interface CodeBlockProps {
  code: string;
  /** From the fence's info string (```python), when it has one. */
  language: string | null;
}

/** A fenced code block of a reply, with its language and a button that copies it. */
export function CodeBlock({ code, language }: CodeBlockProps) {
  const what = language ? `${language} code` : 'code';
  return (
    <figure className="chat-code" aria-label={what}>
      <Group justify="space-between" gap="xs" className="chat-code-bar">
        <Text size="xs" c="dimmed" ff="monospace">
          {language ?? 'text'}
        </Text>
        <CopyButton value={code} timeout={1500}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : `Copy ${what}`} withArrow>
              <ActionIcon
                variant="subtle"
                color={copied ? 'teal' : 'gray'}
                size="sm"
                onClick={copy}
                aria-label={copied ? 'Copied' : `Copy ${what}`}
              >
                {copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
      <pre>
        <code>{code}</code>
      </pre>
    </figure>
  );
}
