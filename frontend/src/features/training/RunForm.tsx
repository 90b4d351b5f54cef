import { Button, Card, Grid, Group, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlayerPlay } from '@tabler/icons-react';
import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useCallback, useMemo, useState } from 'react';
import type { PresetOut } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { RefusalAlert } from '../../components/RefusalAlert';
import { CONFIG_FIELD_NAMES, CONFIG_FIELDS, PRESET_FIELD } from './config/configFields';
import { ConfigSections } from './config/ConfigSections';
import { applyPreset, type ConfigValues, fullConfig, localProblems, valueAt, withValue } from './config/formValues';
import { PresetSelect } from './config/PresetSelect';
import { type FormProblems, mergeProblems, NO_PROBLEMS, problemsOf } from './config/problems';
import { EstimatePanel } from './EstimatePanel';
import { useEstimate, useStartRun } from './queries';
import './training.css';

/** How long the form waits after the last edit before asking for an estimate. */
const ESTIMATE_DELAY_MS = 400;

function withoutField(problems: FormProblems, name: string): FormProblems {
  if (!problems.byField.has(name)) return problems;
  const byField = new Map(problems.byField);
  byField.delete(name);
  return { ...problems, byField };
}

/** The new-run form: a preset, the config's fields from its JSON schema (basic, then advanced
 * sections), the estimate beside them as the config changes, and the API's refusals shown at
 * the field they name. A started run opens its page. */
export function RunForm() {
  const navigate = useNavigate();
  const [values, setValues] = useState<ConfigValues>({});
  const [startProblems, setStartProblems] = useState<FormProblems>(NO_PROBLEMS);
  const [attempted, setAttempted] = useState(false);
  const start = useStartRun();

  const config = useMemo(() => fullConfig(CONFIG_FIELDS, values), [values]);
  const local = useMemo(() => localProblems(CONFIG_FIELDS, values), [values]);
  const ready = Boolean(valueAt(values, 'model') && valueAt(values, 'dataset'));
  // The estimate follows the config once edits pause; it is asked only for a config with a model
  // and a dataset that the browser finds nothing wrong with.
  const [settledConfig] = useDebouncedValue(config, ESTIMATE_DELAY_MS);
  const settledReady = Boolean(settledConfig.model && settledConfig.dataset);
  const estimate = useEstimate(settledReady && local.size === 0 ? settledConfig : null);
  const estimateProblems = useMemo(
    () => problemsOf(estimate.error, CONFIG_FIELD_NAMES) ?? NO_PROBLEMS,
    [estimate.error],
  );
  const problems = useMemo(() => mergeProblems(startProblems, estimateProblems), [startProblems, estimateProblems]);
  // A failure that is not about the config (network, token, server) is shown as a whole.
  const startFailure = start.error && !problemsOf(start.error, CONFIG_FIELD_NAMES) ? start.error : null;

  const onFieldChange = useCallback((name: string, value: unknown) => {
    setValues((current) => withValue(current, name, value));
    setStartProblems((current) => withoutField(current, name));
  }, []);
  const onPreset = useCallback((next: PresetOut | null, previous: PresetOut | null) => {
    setValues((current) => applyPreset(current, next, previous));
  }, []);
  const onApply = useCallback((changes: Record<string, unknown>) => {
    setValues((current) => Object.entries(changes).reduce((out, [name, value]) => withValue(out, name, value), current));
    setStartProblems(NO_PROBLEMS);
  }, []);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setAttempted(true);
    if (!ready || local.size > 0) return;
    start.mutate(config, {
      onSuccess: (job) => void navigate({ to: '/training/$runId', params: { runId: job.id } }),
      onError: (error) => setStartProblems(problemsOf(error, CONFIG_FIELD_NAMES) ?? NO_PROBLEMS),
    });
  };

  const preset = valueAt(values, PRESET_FIELD);
  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, md: 8 }}>
        <Card withBorder radius="md" padding="lg" component="section" aria-label="Run settings">
          <form onSubmit={submit} noValidate aria-label="New training run">
            <Stack gap="lg">
              <PresetSelect value={typeof preset === 'string' ? preset : null} onChange={onPreset} />
              <ConfigSections
                fields={CONFIG_FIELDS}
                values={values}
                problems={problems}
                showRequired={attempted}
                onFieldChange={onFieldChange}
              />
              <RefusalAlert title="The server refused this config" messages={problems.general} />
              {startFailure ? <ErrorAlert title="Could not start the run" error={startFailure} /> : null}
              <Group justify="space-between" gap="sm">
                <Text size="sm" c="dimmed">
                  {attempted && (!ready || local.size > 0)
                    ? 'Fix the fields marked in red first.'
                    : 'The run queues as a job; its page follows it live.'}
                </Text>
                <Button type="submit" leftSection={<IconPlayerPlay size={16} aria-hidden />} loading={start.isPending}>
                  Start training
                </Button>
              </Group>
            </Stack>
          </form>
        </Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 4 }}>
        <div className="estimate-column">
          <EstimatePanel
            ready={ready}
            estimate={estimate.data}
            error={estimate.error}
            fetching={estimate.isFetching}
            onApply={onApply}
          />
        </div>
      </Grid.Col>
    </Grid>
  );
}
