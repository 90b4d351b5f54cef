import { Accordion, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import type { ChatSampling } from '../../api/types.gen';
import { samplingSummary } from './sampling';
import { SamplingPanel } from './SamplingPanel';

interface ConversationSettingsProps {
  systemPrompt: string;
  onSystemPromptChange: (text: string) => void;
  sampling: ChatSampling;
  onSamplingChange: (next: ChatSampling) => void;
  /** The server's messages for the sampling fields it refused, by field name. */
  problems: Readonly<Record<string, string>>;
}

/** The system prompt and the sampling controls (folded, with a summary of what is set). */
export function ConversationSettings({
  systemPrompt,
  onSystemPromptChange,
  sampling,
  onSamplingChange,
  problems,
}: ConversationSettingsProps) {
  const [open, setOpen] = useState<string | null>(null);
  // A refused control unfolds the panel, so its message is seen.
  const refused = Object.keys(problems).length > 0;
  const [wasRefused, setWasRefused] = useState(refused);
  if (refused !== wasRefused) {
    setWasRefused(refused);
    if (refused) setOpen('sampling');
  }
  return (
    <Stack gap="sm">
      <Textarea
        label="System prompt"
        description="Sent first, before the conversation; empty sends none."
        placeholder="You are a helpful assistant."
        value={systemPrompt}
        onChange={(event) => onSystemPromptChange(event.currentTarget.value)}
        autosize
        minRows={2}
        maxRows={8}
      />
      <Accordion variant="contained" value={open} onChange={setOpen}>
        <Accordion.Item value="sampling">
          <Accordion.Control>
            <Text size="sm" fw={500}>
              Sampling
            </Text>
            <Text size="xs" c="dimmed" lineClamp={1}>
              {samplingSummary(sampling)}
            </Text>
          </Accordion.Control>
          <Accordion.Panel>
            <SamplingPanel value={sampling} onChange={onSamplingChange} problems={problems} />
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
    </Stack>
  );
}
