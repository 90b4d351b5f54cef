import { Select } from '@mantine/core';
import { useMemo } from 'react';
import { errorMessage } from '../../../lib/apiError';
import { useDatasetList } from '../../datasets/queries';
import { useModelList } from '../../models/queries';
import { checkValue } from '../../../lib/jsonSchema';
import { fieldErrors, fieldHelp } from '../../../components/fields/ParamField';
import type { ConfigFieldProps } from './fieldProps';

interface RegistrySelectProps extends ConfigFieldProps {
  names: readonly string[] | undefined;
  loading: boolean;
  loadError: unknown;
  what: string;
}

/** A field that names something registered (a model, a dataset), chosen from the registry. */
function RegistrySelect({ field, id, value, onChange, problems, showRequired, names, loading, loadError, what }: RegistrySelectProps) {
  const current = typeof value === 'string' && value ? value : null;
  // A name set elsewhere (a copied config) stays visible even if the list does not have it.
  const options = useMemo(() => {
    const all = [...(names ?? [])];
    if (current && !all.includes(current)) all.unshift(current);
    return all;
  }, [names, current]);
  const local = checkValue(field, value);
  const shown = local === 'Required.' && !showRequired ? null : local;
  const listProblem = loadError ? [`Could not load the ${what} list: ${errorMessage(loadError)}`] : [];
  return (
    <Select
      id={id}
      label={field.label}
      description={fieldHelp(field)}
      required={field.required}
      data={options}
      value={current}
      onChange={(next) => onChange(next ?? undefined)}
      searchable
      clearable={!field.required}
      allowDeselect={!field.required}
      placeholder={loading ? `Loading ${what}s…` : `Choose a ${what}`}
      nothingFoundMessage={`No ${what} by that name`}
      error={fieldErrors(shown, [...problems, ...listProblem])}
      data-testid={`field-${id}`}
    />
  );
}

export function ModelSelect(props: ConfigFieldProps) {
  const models = useModelList();
  // Adapters train nothing: a run starts from a base model.
  const names = useMemo(
    () => models.data?.filter((model) => model.kind === 'base').map((model) => model.name),
    [models.data],
  );
  return <RegistrySelect {...props} names={names} loading={models.isPending} loadError={models.error} what="model" />;
}

export function DatasetSelect(props: ConfigFieldProps) {
  const datasets = useDatasetList();
  const names = useMemo(() => datasets.data?.map((dataset) => dataset.name), [datasets.data]);
  return <RegistrySelect {...props} names={names} loading={datasets.isPending} loadError={datasets.error} what="dataset" />;
}
