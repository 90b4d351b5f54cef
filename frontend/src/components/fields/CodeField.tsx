import { Input, Textarea } from '@mantine/core';
import { lazy, type ReactNode, Suspense } from 'react';
import type { CodeLanguage } from './CodeEditor';
import type { CodeMark, ColumnRef } from './codeLanguage';
import './fields.css';

// CodeMirror is loaded with the first code field, not with the app.
const CodeEditor = lazy(() => import('./CodeEditor'));

interface CodeFieldProps {
  id: string;
  label: string;
  description: ReactNode;
  error: ReactNode;
  required: boolean;
  value: string;
  onChange: (value: string) => void;
  language: CodeLanguage;
  columns: readonly ColumnRef[];
  marks: readonly CodeMark[];
  placeholder?: string;
}

/** A labelled template or expression editor, with its help text and problems under it. */
export function CodeField({
  id,
  label,
  description,
  error,
  required,
  value,
  onChange,
  language,
  columns,
  marks,
  placeholder,
}: CodeFieldProps) {
  const describedBy = [error ? `${id}-error` : null, description ? `${id}-description` : null].filter(Boolean).join(' ');
  return (
    <Input.Wrapper
      id={id}
      label={label}
      description={description}
      error={error}
      required={required}
      data-testid={`field-${id}`}
    >
      <Suspense
        fallback={
          // Until the editor has loaded, the value in a plain text box (read only).
          <Textarea
            aria-label={label}
            value={value}
            readOnly
            rows={language === 'jinja' ? 3 : 1}
            classNames={{ input: 'recipe-code-fallback' }}
          />
        }
      >
        <CodeEditor
          id={id}
          value={value}
          onChange={onChange}
          language={language}
          columns={columns}
          marks={marks}
          label={label}
          describedBy={describedBy || undefined}
          invalid={Boolean(error)}
          placeholder={placeholder}
        />
      </Suspense>
    </Input.Wrapper>
  );
}
