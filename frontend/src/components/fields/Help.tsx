import { Code } from '@mantine/core';
import type { ReactNode } from 'react';

/** A schema description with its `code` spans shown as code. */
export function Help({ text }: { text: string }): ReactNode {
  const parts = text.split('`');
  // An odd number of parts means the backticks pair up; otherwise show the text as it is.
  if (parts.length < 3 || parts.length % 2 === 0) return text;
  return parts.map((part, index) =>
    index % 2 === 1 ? (
      // The parts of one description never change order: the index is a stable key.
      <Code key={index} fz="inherit">
        {part}
      </Code>
    ) : (
      part
    ),
  );
}
