import { Input, Stack, Switch, TagsInput } from '@mantine/core';
import { fieldErrors, fieldHelp } from '../../../components/fields/ParamField';
import type { ConfigFieldProps } from './fieldProps';

const ALL_LINEAR = 'all-linear';
/** The linear layers of a Llama-family decoder, offered as names to pick. */
const LLAMA_LINEAR = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
/** Where a list starts when "every linear layer" is switched off: the classic LoRA choice. */
const FIRST_PICK = ['q_proj', 'v_proj'];

/** `target_modules`: either "all-linear" or a list of module names (a union the schema reader
 * would leave to a JSON editor), as a switch and, when off, the names. */
export function TargetModulesField({ field, id, value, onChange, problems }: ConfigFieldProps) {
  const all = (value ?? field.default) === ALL_LINEAR;
  const names = Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  return (
    <Input.Wrapper id={id} label={field.label} description={fieldHelp(field)} error={fieldErrors(null, problems)}>
      <Stack gap="xs" mt={6}>
        <Switch
          label="Every linear layer (all-linear)"
          checked={all}
          onChange={(event) => onChange(event.currentTarget.checked ? ALL_LINEAR : FIRST_PICK)}
          data-testid={`field-${id}-all`}
        />
        {all ? null : (
          <TagsInput
            aria-label={`${field.label}: module names`}
            data={LLAMA_LINEAR}
            value={names}
            onChange={(next) => onChange(next)}
            placeholder="Choose or type a module name, then Enter"
            splitChars={[',', ' ']}
            acceptValueOnBlur
            clearable
            error={problems.length > 0}
          />
        )}
      </Stack>
    </Input.Wrapper>
  );
}
