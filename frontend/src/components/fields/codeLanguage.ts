/** CodeMirror pieces of the template and expression editors: completion of column names (and
 * the filter functions), the server's problems as marks, and a highlight style that follows the
 * Mantine theme. Only the lazily loaded editor (and tests) import this module, so CodeMirror
 * stays out of the main bundle. */
import type { Completion, CompletionContext, CompletionResult, CompletionSource } from '@codemirror/autocomplete';
import { pythonLanguage } from '@codemirror/lang-python';
import { HighlightStyle, LanguageSupport, syntaxTree } from '@codemirror/language';
import type { Diagnostic } from '@codemirror/lint';
import { tags } from '@lezer/highlight';
import { FILTER_FUNCTIONS, FILTER_KEYWORDS, isIdentifier } from './filterLanguage';
import { jinjaLanguage, tagAt } from './jinjaMode';

export interface ColumnRef {
  name: string;
  type: string;
}

/** A problem to mark in the code: at a character offset (filter) or a 1-based line (template). */
export interface CodeMark {
  message: string;
  offset?: number | null;
  line?: number | null;
}

function quoted(name: string): string {
  return `'${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The completions a filter expression offers for the columns: bare names, or `col('a name')`
 * for names that are not identifiers. */
export function columnCompletions(columns: readonly ColumnRef[]): Completion[] {
  return columns.map((column) => ({
    label: column.name,
    apply: isIdentifier(column.name) ? column.name : `col(${quoted(column.name)})`,
    type: 'variable',
    detail: column.type,
    info: `Column ${column.name} (${column.type})`,
    boost: 2,
  }));
}

const FUNCTION_COMPLETIONS: Completion[] = FILTER_FUNCTIONS.map((fn) => ({
  label: fn.name,
  apply: `${fn.name}(`,
  type: 'function',
  detail: fn.signature,
  info: fn.doc,
  boost: 1,
}));

const KEYWORD_COMPLETIONS: Completion[] = FILTER_KEYWORDS.map((keyword) => ({ label: keyword, type: 'keyword' }));

/** Completion for filter expressions: columns, functions and keywords; inside `col('…')` the
 * column names as they are. Nothing inside other strings or after a dot. */
export function filterCompletionSource(columns: readonly ColumnRef[]): CompletionSource {
  const options = [...columnCompletions(columns), ...FUNCTION_COMPLETIONS, ...KEYWORD_COMPLETIONS];
  return (context: CompletionContext): CompletionResult | null => {
    const node = syntaxTree(context.state).resolveInner(context.pos, -1);
    if (node.name === 'String') {
      const before = context.state.doc.sliceString(Math.max(0, node.from - 16), node.from);
      if (!/col\(\s*$/.test(before)) return null;
      return {
        from: node.from + 1,
        options: columns.map((column) => ({ label: column.name, type: 'variable', detail: column.type })),
        validFor: /^[^'"]*$/,
      };
    }
    if (node.name === 'Comment') return null;
    const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
    if (word && word.from > 0 && context.state.doc.sliceString(word.from - 1, word.from) === '.') return null;
    if (!word && !context.explicit) return null;
    return { from: word ? word.from : context.pos, options, validFor: /^[A-Za-z0-9_]*$/ };
  };
}

const JINJA_FILTERS: Completion[] = (
  'abs capitalize default first float int join last length list lower max min replace reverse round sort ' +
  'string sum title tojson trim truncate unique upper wordcount'
)
  .split(' ')
  .map((name) => ({ label: name, type: 'function' }));
const JINJA_TAGS: Completion[] = (
  'if elif else endif for endfor set endset with endwith filter endfilter macro endmacro call endcall raw endraw'
)
  .split(' ')
  .map((name) => ({ label: name, type: 'keyword' }));
const JINJA_GLOBALS: Completion[] = ['loop', 'range', 'namespace', 'true', 'false', 'none'].map((name) => ({
  label: name,
  type: 'keyword',
}));
const TURN_PROPERTIES: Completion[] = [
  { label: 'role', type: 'property', detail: 'system, user, assistant or tool' },
  { label: 'content', type: 'property', detail: 'the text of the turn' },
];

function oddQuotes(text: string, quote: string): boolean {
  return (text.split(quote).length - 1) % 2 === 1;
}

/** Completion for templates, inside `{{ }}` and `{% %}` only: the input's columns as variables
 * (identifiers: other names cannot be written in a template), `role` and `content` after a dot
 * (conversation turns), filters after `|`, tags in `{% %}`. */
export function templateCompletionSource(columns: readonly ColumnRef[]): CompletionSource {
  const variables: Completion[] = columns
    .filter((column) => isIdentifier(column.name))
    .map((column) => ({ label: column.name, type: 'variable', detail: column.type, info: `Column ${column.name}`, boost: 2 }));
  return (context: CompletionContext): CompletionResult | null => {
    const before = context.state.doc.sliceString(0, context.pos);
    const kind = tagAt(before, before.length);
    if (kind === null) return null;
    const inTag = before.slice(Math.max(before.lastIndexOf('{{'), before.lastIndexOf('{%')) + 2);
    if (oddQuotes(inTag, '"') || oddQuotes(inTag, "'")) return null;
    const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
    const from = word ? word.from : context.pos;
    const validFor = /^[A-Za-z0-9_]*$/;
    const previous = before.slice(0, from);
    if (previous.endsWith('.')) return { from, options: TURN_PROPERTIES, validFor };
    if (previous.trimEnd().endsWith('|')) return { from, options: JINJA_FILTERS, validFor };
    if (!word && !context.explicit) return null;
    const options = kind === 'stmt' ? [...variables, ...JINJA_TAGS, ...JINJA_GLOBALS] : [...variables, ...JINJA_GLOBALS];
    return { from, options, validFor };
  };
}

/** Templates here are prompts, not HTML: plain text with Jinja tags, columns completed. */
export function templateLanguage(columns: readonly ColumnRef[]): LanguageSupport {
  return new LanguageSupport(jinjaLanguage, jinjaLanguage.data.of({ autocomplete: templateCompletionSource(columns) }));
}

export function expressionLanguage(): LanguageSupport {
  return new LanguageSupport(pythonLanguage);
}

function wordEnd(doc: string, from: number): number {
  let to = from;
  while (to < doc.length && /[\w]/.test(doc[to] ?? '')) to += 1;
  return to > from ? to : Math.min(doc.length, from + 1);
}

/** The problems as lint diagnostics: an offset marks the word (or character) there; a line
 * marks the column name the message quotes on that line, else the whole line. Problems with
 * neither are not marked (their message is shown under the editor). */
export function problemDiagnostics(doc: string, marks: readonly CodeMark[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const lines = doc.split('\n');
  for (const mark of marks) {
    if (typeof mark.offset === 'number') {
      const from = Math.max(0, Math.min(mark.offset, doc.length));
      diagnostics.push({ from, to: wordEnd(doc, from), severity: 'error', message: mark.message });
    } else if (typeof mark.line === 'number') {
      const index = Math.max(0, Math.min(mark.line, lines.length) - 1);
      const lineFrom = lines.slice(0, index).reduce((sum, line) => sum + line.length + 1, 0);
      const text = lines[index] ?? '';
      let from = lineFrom;
      let to = lineFrom + text.length;
      const name = /'([^']+)'/.exec(mark.message)?.[1];
      if (name) {
        const found = new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).exec(text);
        if (found) {
          from = lineFrom + found.index;
          to = from + name.length;
        }
      }
      diagnostics.push({ from, to, severity: 'error', message: mark.message });
    }
  }
  return diagnostics;
}

/** Syntax colours from Mantine's scheme-aware variables, so light and dark themes both read. */
export const highlightStyle = HighlightStyle.define([
  { tag: [tags.keyword, tags.controlKeyword, tags.definitionKeyword, tags.operatorKeyword], color: 'var(--mantine-color-violet-text)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--mantine-color-green-text)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--mantine-color-orange-text)' },
  { tag: [tags.variableName, tags.definition(tags.variableName)], color: 'var(--mantine-color-blue-text)' },
  { tag: [tags.function(tags.variableName)], color: 'var(--mantine-color-cyan-text)' },
  { tag: [tags.propertyName], color: 'var(--mantine-color-teal-text)' },
  { tag: [tags.brace, tags.bracket], color: 'var(--mantine-color-grape-text)', fontWeight: '600' },
  { tag: [tags.comment, tags.blockComment, tags.lineComment], color: 'var(--mantine-color-dimmed)', fontStyle: 'italic' },
  { tag: tags.invalid, color: 'var(--mantine-color-red-text)' },
]);
