import { Textarea } from '@mantine/core';
import { useState } from 'react';
import { checkValue } from '../../../lib/jsonSchema';
import { Help } from '../../../components/fields/Help';
import { fieldErrors } from '../../../components/fields/ParamField';
import type { ConfigFieldProps } from './fieldProps';

function linesOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

function textOf(value: unknown): string {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string').join('\n') : '';
}

/** A list of prompts, one per line: prompts are sentences, with the commas and spaces a tags
 * input would split them at. */
export function PromptListField({ field, id, value, onChange, problems }: ConfigFieldProps) {
  const external = textOf(value ?? field.default);
  // The text as typed (with the empty line being started), kept until the value changes elsewhere.
  const [text, setText] = useState(external);
  const [seen, setSeen] = useState(external);
  if (seen !== external) {
    setSeen(external);
    if (linesOf(text).join('\n') !== external) setText(external);
  }
  return (
    <Textarea
      id={id}
      label={field.label}
      // The default is what the box starts with: the help does not repeat it.
      description={<>{field.description ? <Help text={field.description} /> : null} One prompt per line.</>}
      value={text}
      onChange={(event) => {
        setText(event.currentTarget.value);
        onChange(linesOf(event.currentTarget.value));
      }}
      autosize
      minRows={3}
      maxRows={8}
      error={fieldErrors(checkValue(field, linesOf(text)), problems)}
      data-testid={`field-${id}`}
    />
  );
}
