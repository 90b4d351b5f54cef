import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Kbd,
  List,
  Loader,
  Menu,
  Popover,
  Stack,
  Table,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  IconAlertTriangle,
  IconArrowBackUp,
  IconArrowForwardUp,
  IconChevronDown,
  IconCircleCheck,
  IconDeviceFloppy,
  IconDots,
  IconDownload,
  IconHistory,
  IconKeyboard,
  IconLayoutDistributeVertical,
  IconPlayerPlay,
  IconUpload,
} from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useReactFlow } from '@xyflow/react';
import type { RecipeDetail } from '../../../api/types.gen';
import { formatDateTime, formatRelativeTime } from '../../../components/format';
import { errorMessage } from '../../../lib/apiError';
import { fetchRecipeYaml } from '../api';
import { nameProblem } from '../names';
import { fetchVersionQuery } from '../queries';
import { useRecipeFileImport } from '../useRecipeFileImport';
import { MOD, SHORTCUTS } from './shortcuts';
import { useEditor, useEditorActions, useEditorStore } from './store';

function NameFields() {
  const name = useEditor((state) => state.name);
  const description = useEditor((state) => state.description);
  const actions = useEditorActions();
  const problem = name ? nameProblem(name) : null;
  return (
    <Group gap="xs" wrap="nowrap" style={{ flex: 1, minWidth: 0 }}>
      <TextInput
        aria-label="Recipe name"
        placeholder="recipe-name"
        value={name}
        onChange={(event) => actions.setMeta({ name: event.currentTarget.value.trim() })}
        error={problem}
        size="sm"
        w={220}
        styles={{ input: { fontWeight: 600 } }}
      />
      <TextInput
        aria-label="Recipe description"
        placeholder="What this recipe makes"
        value={description}
        onChange={(event) => actions.setMeta({ description: event.currentTarget.value })}
        size="sm"
        style={{ flex: 1, minWidth: 120 }}
        maxLength={2000}
      />
    </Group>
  );
}

function SaveState() {
  const dirty = useEditor((state) => state.dirty);
  const saved = useEditor((state) => state.saved);
  if (!saved) {
    return (
      <Badge color="yellow" variant="light" data-testid="save-state">
        Not saved yet
      </Badge>
    );
  }
  return dirty ? (
    <Badge color="yellow" variant="light" data-testid="save-state" aria-label="Unsaved changes">
      ● Unsaved changes
    </Badge>
  ) : (
    <Badge color="gray" variant="light" data-testid="save-state">
      Saved · v{saved.version}
    </Badge>
  );
}

/** How validation went: checking, every problem (graph-wide ones too), or none. */
function FeedbackStatus({ checking, error }: { checking: boolean; error: unknown }) {
  const live = useEditor((state) => state.live);
  const graphProblems = useEditor((state) => state.graphProblems);
  const edgeProblems = useEditor((state) => state.edgeProblems);
  const nodeCount = useEditor((state) => state.nodes.length);
  const problems = [
    ...graphProblems,
    ...Object.values(live).flatMap((entry) => entry.problems),
    ...Object.values(edgeProblems).flat(),
  ].filter((problem, index, all) => all.findIndex((other) => other.message === problem.message) === index);
  if (nodeCount === 0) return null;
  if (error) {
    return (
      <Tooltip label={errorMessage(error)}>
        <Badge color="red" variant="light" leftSection={<IconAlertTriangle size={12} aria-hidden />}>
          Could not check
        </Badge>
      </Tooltip>
    );
  }
  if (problems.length === 0) {
    return checking ? (
      <Badge color="gray" variant="light" leftSection={<Loader size={10} aria-hidden />} data-testid="validation-state">
        Checking…
      </Badge>
    ) : (
      <Badge color="teal" variant="light" leftSection={<IconCircleCheck size={12} aria-hidden />} data-testid="validation-state">
        Ready to run
      </Badge>
    );
  }
  return (
    <Popover width={420} position="bottom-start" withArrow shadow="md">
      <Popover.Target>
        <Button
          size="compact-sm"
          color="red"
          variant="light"
          leftSection={checking ? <Loader size={10} color="red" aria-hidden /> : <IconAlertTriangle size={14} aria-hidden />}
          data-testid="validation-state"
        >
          {problems.length === 1 ? '1 problem' : `${problems.length} problems`}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <List size="sm" spacing={4} data-testid="problem-list">
          {problems.map((problem) => (
            <List.Item key={`${problem.field}|${problem.message}`}>{problem.message}</List.Item>
          ))}
        </List>
      </Popover.Dropdown>
    </Popover>
  );
}

function ShortcutsHelp() {
  return (
    <Popover width={380} position="bottom-end" withArrow shadow="md">
      <Popover.Target>
        <Tooltip label="Keyboard shortcuts">
          <ActionIcon variant="default" size="lg" aria-label="Keyboard shortcuts">
            <IconKeyboard size={18} aria-hidden />
          </ActionIcon>
        </Tooltip>
      </Popover.Target>
      <Popover.Dropdown>
        <Table fz="xs" verticalSpacing={4} aria-label="Keyboard shortcuts">
          <Table.Tbody>
            {SHORTCUTS.map((shortcut) => (
              <Table.Tr key={shortcut.keys}>
                <Table.Td>
                  <Kbd size="xs">{shortcut.keys}</Kbd>
                </Table.Td>
                <Table.Td>{shortcut.action}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Popover.Dropdown>
    </Popover>
  );
}

function download(fileName: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function VersionsMenu({ detail }: { detail: RecipeDetail }) {
  const queryClient = useQueryClient();
  const actions = useEditorActions();
  const { fitView } = useReactFlow();
  const saved = useEditor((state) => state.saved);
  const restore = async (version: number) => {
    try {
      const stored = await fetchVersionQuery(queryClient, detail.id, version);
      actions.replaceGraph(stored.graph);
      requestAnimationFrame(() => void fitView({ padding: 0.2, maxZoom: 1.1 }));
      notifications.show({
        color: 'blue',
        title: `Version ${version} is on the canvas`,
        message: 'Save to make it the newest version (undo brings back what was there).',
      });
    } catch (error) {
      notifications.show({ color: 'red', title: `Could not load version ${version}`, message: errorMessage(error) });
    }
  };
  const versions = [...detail.versions].reverse();
  return (
    <Menu position="bottom-end" withinPortal shadow="md">
      <Menu.Target>
        <Button variant="default" size="sm" leftSection={<IconHistory size={16} aria-hidden />} rightSection={<IconChevronDown size={14} aria-hidden />}>
          Versions
        </Button>
      </Menu.Target>
      <Menu.Dropdown mah={360} style={{ overflowY: 'auto' }} data-testid="versions-menu">
        <Menu.Label>Restore a version onto the canvas</Menu.Label>
        {versions.map((version) => (
          <Menu.Item
            key={version.version}
            onClick={() => void restore(version.version)}
            title={formatDateTime(version.created_at)}
            rightSection={
              version.version === saved?.version ? (
                <Badge size="xs" variant="light">
                  saved
                </Badge>
              ) : null
            }
          >
            v{version.version} · {formatRelativeTime(version.created_at)}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

function MoreMenu({ recipeId }: { recipeId: number | null }) {
  const store = useEditorStore();
  const saved = useEditor((state) => state.saved);
  const dirty = useEditor((state) => state.dirty);
  const importer = useRecipeFileImport();
  const exportYaml = async () => {
    const version = store.getState().saved?.version;
    if (recipeId === null || version === undefined) return;
    try {
      const out = await fetchRecipeYaml(recipeId, version);
      download(`${out.name}-v${out.version}.yaml`, out.yaml);
    } catch (error) {
      notifications.show({ color: 'red', title: 'Could not export the recipe', message: errorMessage(error) });
    }
  };
  return (
    <>
      {importer.input}
      <Menu position="bottom-end" withinPortal shadow="md">
        <Menu.Target>
          <Tooltip label="Import and export">
            <ActionIcon variant="default" size="lg" aria-label="Import and export" loading={importer.isPending}>
              <IconDots size={18} aria-hidden />
            </ActionIcon>
          </Tooltip>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item
            leftSection={<IconDownload size={14} aria-hidden />}
            disabled={recipeId === null || !saved}
            onClick={() => void exportYaml()}
          >
            Export YAML{saved ? ` (v${saved.version}${dirty ? ', without unsaved changes' : ''})` : ''}
          </Menu.Item>
          <Menu.Item leftSection={<IconUpload size={14} aria-hidden />} onClick={importer.open}>
            Import YAML as a new recipe…
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
    </>
  );
}

interface ToolbarProps {
  recipeId: number | null;
  detail: RecipeDetail | undefined;
  checking: boolean;
  checkError: unknown;
  onSave: () => void;
  saving: boolean;
  onRun: () => void;
  running: boolean;
}

export function Toolbar({ recipeId, detail, checking, checkError, onSave, saving, onRun, running }: ToolbarProps) {
  const canUndo = useEditor((state) => state.past.length > 0);
  const canRedo = useEditor((state) => state.future.length > 0);
  const empty = useEditor((state) => state.nodes.length === 0);
  const actions = useEditorActions();
  const { fitView } = useReactFlow();
  return (
    <Stack gap={6} className="recipe-toolbar">
      <Group gap="xs" wrap="nowrap">
        <NameFields />
        <SaveState />
      </Group>
      <Group gap="xs" justify="space-between" wrap="nowrap">
        <Group gap={6} wrap="nowrap">
          <Tooltip label={`Undo (${MOD}+Z)`}>
            <ActionIcon variant="default" size="lg" aria-label="Undo" disabled={!canUndo} onClick={actions.undo}>
              <IconArrowBackUp size={18} aria-hidden />
            </ActionIcon>
          </Tooltip>
          <Tooltip label={`Redo (${MOD}+Shift+Z)`}>
            <ActionIcon variant="default" size="lg" aria-label="Redo" disabled={!canRedo} onClick={actions.redo}>
              <IconArrowForwardUp size={18} aria-hidden />
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Arrange the nodes left to right">
            <ActionIcon
              variant="default"
              size="lg"
              aria-label="Auto-layout"
              disabled={empty}
              onClick={() => {
                actions.autoLayout();
                requestAnimationFrame(() => void fitView({ padding: 0.2, maxZoom: 1.1 }));
              }}
            >
              <IconLayoutDistributeVertical size={18} aria-hidden />
            </ActionIcon>
          </Tooltip>
          <FeedbackStatus checking={checking} error={checkError} />
        </Group>
        <Group gap={6} wrap="nowrap">
          {detail ? <VersionsMenu detail={detail} /> : null}
          <MoreMenu recipeId={recipeId} />
          <ShortcutsHelp />
          <Tooltip label={`Save a new version (${MOD}+S)`}>
            <Button
              variant="default"
              leftSection={<IconDeviceFloppy size={16} aria-hidden />}
              onClick={onSave}
              loading={saving}
            >
              Save
            </Button>
          </Tooltip>
          <Tooltip label="Save if needed, then run the recipe as a job">
            <Button
              color="teal"
              leftSection={<IconPlayerPlay size={16} aria-hidden />}
              onClick={onRun}
              loading={running}
              disabled={empty}
            >
              Run
            </Button>
          </Tooltip>
        </Group>
      </Group>
    </Stack>
  );
}
