import { memo, useCallback } from 'react';
import { ParamField } from '../../../components/fields/ParamField';
import type { ConfigFieldProps } from './fieldProps';
import { PromptListField } from './PromptListField';
import { DatasetSelect, ModelSelect } from './RegistrySelects';
import { TargetModulesField } from './TargetModulesField';

const NO_MARKS: never[] = [];

type ConfigFieldControlProps = Omit<ConfigFieldProps, 'onChange'> & {
  /** Stable across renders, so a field redraws only when its own value or problems change. */
  onFieldChange: (name: string, value: unknown) => void;
};

/** The control of one config field: the schema-driven field of the recipe forms, except for the
 * fields that name registry entries (pickers) and the two lists the schema cannot describe
 * well enough for a generic control. */
export const ConfigField = memo(function ConfigField({ onFieldChange, ...rest }: ConfigFieldControlProps) {
  const name = rest.field.name;
  const onChange = useCallback((value: unknown) => onFieldChange(name, value), [onFieldChange, name]);
  const props: ConfigFieldProps = { ...rest, onChange };
  switch (name) {
    case 'model':
      return <ModelSelect {...props} />;
    case 'dataset':
    case 'eval_dataset':
      return <DatasetSelect {...props} />;
    case 'lora.target_modules':
      return <TargetModulesField {...props} />;
    case 'sample_prompts':
      return <PromptListField {...props} />;
    default: {
      const { field, id, value, onChange, problems } = props;
      return (
        <ParamField
          field={field}
          id={id}
          value={value}
          onChange={onChange}
          problems={problems}
          marks={NO_MARKS}
          columns={NO_MARKS}
          choices={NO_MARKS}
        />
      );
    }
  }
});
