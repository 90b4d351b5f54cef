import { Group, NativeSelect } from '@mantine/core';
import { memo, useMemo } from 'react';
import type { JobFilters as Filters } from './api';
import { JOB_STATUSES, KIND_LABELS, kindLabel, STATUS_META } from './status';

interface JobFiltersProps {
  value: Filters;
  onChange: (filters: Filters) => void;
}

const STATUS_OPTIONS = [
  { value: '', label: 'All statuses' },
  ...JOB_STATUSES.map((status) => ({ value: status, label: STATUS_META[status].label })),
];

export const JobFilters = memo(function JobFilters({ value, onChange }: JobFiltersProps) {
  const kindOptions = useMemo(() => {
    const kinds = Object.keys(KIND_LABELS);
    if (value.kind && !kinds.includes(value.kind)) kinds.push(value.kind);
    return [{ value: '', label: 'All kinds' }, ...kinds.map((kind) => ({ value: kind, label: kindLabel(kind) }))];
  }, [value.kind]);

  return (
    <Group gap="sm" align="flex-end" wrap="wrap">
      <NativeSelect
        label="Status"
        data={STATUS_OPTIONS}
        value={value.status ?? ''}
        onChange={(event) => {
          const status = JOB_STATUSES.find((s) => s === event.currentTarget.value);
          onChange({ ...(status ? { status } : {}), ...(value.kind ? { kind: value.kind } : {}) });
        }}
        w={180}
      />
      <NativeSelect
        label="Kind"
        data={kindOptions}
        value={value.kind ?? ''}
        onChange={(event) => {
          const kind = event.currentTarget.value;
          onChange({ ...(value.status ? { status: value.status } : {}), ...(kind ? { kind } : {}) });
        }}
        w={200}
      />
    </Group>
  );
});
