import { Button, Card, Group, SimpleGrid, Stack } from '@mantine/core';
import { IconColumnsOff, IconPlus } from '@tabler/icons-react';
import { getRouteApi } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import type { ChatSampling, OpenAiModel } from '../../api/types.gen';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadingState } from '../../components/LoadingState';
import { PageHeader } from '../../components/PageHeader';
import { errorField, errorMessage } from '../../lib/apiError';
import { ComparePane } from './ComparePane';
import { Composer } from './Composer';
import { ConversationSettings } from './ConversationSettings';
import { NoModelsHint } from './ModelPicker';
import { useChatModels } from './queries';
import { isSamplingField } from './sampling';
import {
  type ChatTarget,
  MAX_COMPARE_PANES,
  MIN_COMPARE_PANES,
  modelNamesParam,
  parseModelNames,
  targetName,
  targetOf,
} from './targets';
import { useCompareChat } from './useCompareChat';

const route = getRouteApi('/chat/compare');

/** The panes the page opens with: the models the address names, else the first two listed
 * (base models first); at least two panes, an empty one to fill in when there are too few. */
function initialTargets(names: readonly string[], models: readonly OpenAiModel[]): Array<ChatTarget | null> {
  const basesFirst = [...models].sort((a, b) => Number(Boolean(a.parent)) - Number(Boolean(b.parent)));
  const picked = names.length > 0 ? names : basesFirst.slice(0, MIN_COMPARE_PANES).map((model) => model.id);
  const targets: Array<ChatTarget | null> = picked.map((name) => targetOf(name, models));
  while (targets.length < MIN_COMPARE_PANES) targets.push(null);
  return targets;
}

function Workspace({ initial }: { initial: Array<ChatTarget | null> }) {
  const navigate = route.useNavigate();
  const [systemPrompt, setSystemPrompt] = useState('');
  const [sampling, setSampling] = useState<ChatSampling>({});
  const chat = useCompareChat(initial, { systemPrompt, sampling });
  const { panes } = chat;

  // The address follows the panes, so a comparison can be bookmarked or shared as it is.
  const names = modelNamesParam(panes.flatMap((pane) => (pane.target ? [targetName(pane.target)] : [])));
  useEffect(() => {
    void navigate({ search: names ? { models: names } : {}, replace: true });
  }, [names, navigate]);

  const samplingProblems: Record<string, string> = {};
  for (const pane of panes) {
    const error = chat.replies[pane.id]?.error;
    const field = errorField(error);
    if (isSamplingField(field)) samplingProblems[field] = errorMessage(error);
  }
  const ready = panes.filter((pane) => pane.target !== null).length >= MIN_COMPARE_PANES;

  return (
    <Stack gap="md">
      <Card withBorder radius="md" padding="sm" component="section" aria-label="Shared settings">
        <ConversationSettings
          systemPrompt={systemPrompt}
          onSystemPromptChange={setSystemPrompt}
          sampling={sampling}
          onSamplingChange={setSampling}
          problems={samplingProblems}
        />
      </Card>
      <Group justify="flex-end" gap="xs">
        <Button
          variant="default"
          leftSection={<IconPlus size={16} aria-hidden />}
          onClick={chat.addPane}
          disabled={panes.length >= MAX_COMPARE_PANES}
        >
          Add model
        </Button>
        <Button
          variant="default"
          leftSection={<IconColumnsOff size={16} aria-hidden />}
          onClick={chat.clearConversation}
          disabled={chat.turns.length === 0}
        >
          Clear conversation
        </Button>
      </Group>
      <SimpleGrid cols={{ base: 1, md: panes.length }} spacing="md">
        {panes.map((pane, index) => (
          <ComparePane
            key={pane.id}
            pane={pane}
            position={index + 1}
            turns={chat.turns}
            live={chat.replies[pane.id]}
            canRemove={panes.length > MIN_COMPARE_PANES}
            onTargetChange={(target) => chat.setTarget(pane.id, target)}
            onRemove={() => chat.removePane(pane.id)}
          />
        ))}
      </SimpleGrid>
      <Card withBorder radius="md" padding="sm">
        <Composer
          onSend={chat.send}
          onStop={chat.stop}
          onRegenerate={chat.regenerate}
          streaming={chat.streaming}
          busy={false}
          canRegenerate={chat.turns.length > 0}
          blocked={ready ? null : 'Choose a model in at least two panes.'}
        />
      </Card>
    </Stack>
  );
}

/** Compare mode: `/chat/compare?models=a,b` opens with those models side by side. */
export function ComparePage() {
  const { models: param } = route.useSearch();
  const models = useChatModels();
  // The panes are chosen once, from the address the page was opened with.
  const [names] = useState(() => parseModelNames(param));

  let body;
  if (models.isPending) body = <LoadingState label="Loading models…" />;
  else if (models.isError) {
    body = <ErrorAlert title="Could not list the models" error={models.error} onRetry={() => void models.refetch()} />;
  } else if (models.data.length === 0) {
    body = (
      <EmptyState icon={<IconColumnsOff size={26} />} title="No models to compare">
        <NoModelsHint />
      </EmptyState>
    );
  } else body = <Workspace initial={initialTargets(names, models.data)} />;

  return (
    <Stack gap="lg">
      <PageHeader
        title="Compare models"
        description="One conversation answered by two to four models side by side, such as a base model and its adapter. Each pane streams its own reply; nothing here is saved."
      />
      {body}
    </Stack>
  );
}
