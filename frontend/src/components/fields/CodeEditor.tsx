/** The code editor of template and expression fields (CodeMirror 6): syntax colours, column
 * name completion (Ctrl+Space, or as you type), the server's problems marked in the text, undo
 * history. Tab leaves the editor, so keyboard users are never trapped in it. Loaded lazily
 * (the default export) by CodeField. */
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { pythonLanguage } from '@codemirror/lang-python';
import { bracketMatching, syntaxHighlighting } from '@codemirror/language';
import { lintKeymap, setDiagnostics } from '@codemirror/lint';
import { Annotation, Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, placeholder as placeholderExtension } from '@codemirror/view';
import { useEffect, useMemo, useRef } from 'react';
import {
  type CodeMark,
  type ColumnRef,
  expressionLanguage,
  filterCompletionSource,
  highlightStyle,
  problemDiagnostics,
  templateLanguage,
} from './codeLanguage';

export type CodeLanguage = 'jinja' | 'expression';

export interface CodeEditorProps {
  /** Id of the editable element. */
  id: string;
  value: string;
  onChange: (value: string) => void;
  language: CodeLanguage;
  columns: readonly ColumnRef[];
  marks: readonly CodeMark[];
  label: string;
  /** Ids of the description and error texts. */
  describedBy?: string;
  invalid: boolean;
  placeholder?: string;
}

/** Marks a change that came from the value prop, which must not be echoed to onChange. */
const fromProps = Annotation.define<boolean>();

const editorTheme = EditorView.theme({
  '&': {
    border: '1px solid var(--mantine-color-default-border)',
    borderRadius: 'var(--mantine-radius-sm)',
    backgroundColor: 'var(--mantine-color-body)',
    color: 'var(--mantine-color-text)',
    fontSize: 'var(--mantine-font-size-sm)',
  },
  '&.cm-focused': {
    outline: '2px solid var(--mantine-primary-color-filled)',
    outlineOffset: '-1px',
  },
  '&.recipe-code-invalid': { borderColor: 'var(--mantine-color-error)' },
  '.cm-scroller': { fontFamily: 'var(--mantine-font-family-monospace)', lineHeight: '1.5' },
  '.cm-content': { minHeight: '2.2em', padding: '6px 0' },
  '.cm-line': { padding: '0 8px' },
  '.cm-gutters': {
    backgroundColor: 'var(--mantine-color-default)',
    color: 'var(--mantine-color-dimmed)',
    borderRight: '1px solid var(--mantine-color-default-border)',
  },
  '.cm-cursor': { borderLeftColor: 'var(--mantine-color-text)' },
  '.cm-placeholder': { color: 'var(--mantine-color-placeholder)' },
  // Problems: a wavy underline plus a tinted background, so it is not colour alone.
  '.cm-lintRange-error': { backgroundColor: 'var(--mantine-color-red-light)' },
  '.cm-tooltip': {
    backgroundColor: 'var(--mantine-color-body)',
    color: 'var(--mantine-color-text)',
    border: '1px solid var(--mantine-color-default-border)',
  },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': {
    backgroundColor: 'var(--mantine-primary-color-filled)',
    color: 'var(--mantine-primary-color-contrast)',
  },
});

function languageExtension(language: CodeLanguage, columns: readonly ColumnRef[]): Extension {
  if (language === 'jinja') return [templateLanguage(columns), lineNumbers()];
  return [expressionLanguage(), pythonLanguage.data.of({ autocomplete: filterCompletionSource(columns) })];
}

export default function CodeEditor({
  id,
  value,
  onChange,
  language,
  columns,
  marks,
  label,
  describedBy,
  invalid,
  placeholder,
}: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  const compartments = useMemo(
    () => ({ language: new Compartment(), attributes: new Compartment(), placeholder: new Compartment() }),
    [],
  );
  const columnsKey = JSON.stringify(columns);
  const marksKey = JSON.stringify(marks);

  useEffect(() => {
    onChangeRef.current = onChange;
  }, [onChange]);

  // The view is made once; the effects below keep it in step with the props.
  useEffect(() => {
    if (!host.current) return undefined;
    const created = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          history(),
          closeBrackets(),
          bracketMatching(),
          autocompletion({ icons: false }),
          syntaxHighlighting(highlightStyle),
          EditorView.lineWrapping,
          editorTheme,
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
          compartments.language.of([]),
          compartments.attributes.of([]),
          compartments.placeholder.of([]),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            if (update.transactions.some((transaction) => transaction.annotation(fromProps))) return;
            onChangeRef.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = created;
    return () => {
      created.destroy();
      view.current = null;
    };
    // Made once per mount: value, language and attributes follow through the effects below.
  }, []);

  useEffect(() => {
    view.current?.dispatch({
      effects: compartments.language.reconfigure(languageExtension(language, JSON.parse(columnsKey) as ColumnRef[])),
    });
  }, [compartments, language, columnsKey]);

  useEffect(() => {
    const attributes: Record<string, string> = {
      id,
      'aria-label': label,
      'aria-multiline': language === 'jinja' ? 'true' : 'false',
      'aria-invalid': invalid ? 'true' : 'false',
    };
    if (describedBy) attributes['aria-describedby'] = describedBy;
    view.current?.dispatch({
      effects: compartments.attributes.reconfigure([
        EditorView.contentAttributes.of(attributes),
        EditorView.editorAttributes.of({ class: invalid ? 'recipe-code-invalid' : '', 'data-language': language }),
      ]),
    });
  }, [compartments, id, label, describedBy, invalid, language]);

  useEffect(() => {
    view.current?.dispatch({
      effects: compartments.placeholder.reconfigure(placeholder ? placeholderExtension(placeholder) : []),
    });
  }, [compartments, placeholder]);

  useEffect(() => {
    const current = view.current;
    if (!current) return;
    const doc = current.state.doc.toString();
    if (doc !== value) {
      current.dispatch({ changes: { from: 0, to: doc.length, insert: value }, annotations: fromProps.of(true) });
    }
  }, [value]);

  useEffect(() => {
    const current = view.current;
    if (!current) return;
    const parsed = JSON.parse(marksKey) as CodeMark[];
    current.dispatch(setDiagnostics(current.state, problemDiagnostics(current.state.doc.toString(), parsed)));
  }, [marksKey]);

  return <div ref={host} className="recipe-code-editor" data-testid={`code-editor-${id}`} />;
}
