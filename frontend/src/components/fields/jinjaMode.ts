/** A small Jinja mode for prompt templates: the text between tags is plain text (not HTML, as
 * in @codemirror/lang-jinja, which would also bring the HTML, CSS and JavaScript languages
 * along), and `{{ }}`, `{% %}` and `{# #}` are highlighted. Completion is in codeLanguage.ts. */
import { StreamLanguage, type StringStream } from '@codemirror/language';

type Inside = null | 'expr' | 'stmt' | 'comment';

interface JinjaState {
  inside: Inside;
  /** The previous token inside a tag: a `|` makes the next name a filter, a `.` a property. */
  after: 'pipe' | 'dot' | null;
}

export const JINJA_KEYWORDS = new Set([
  'if',
  'elif',
  'else',
  'endif',
  'for',
  'endfor',
  'in',
  'not',
  'and',
  'or',
  'is',
  'set',
  'endset',
  'with',
  'endwith',
  'macro',
  'endmacro',
  'call',
  'endcall',
  'filter',
  'endfilter',
  'raw',
  'endraw',
  'block',
  'endblock',
  'recursive',
  'break',
  'continue',
]);

const CONSTANTS = new Set(['true', 'false', 'none', 'True', 'False', 'None']);

function text(stream: StringStream, state: JinjaState): string | null {
  if (stream.match('{{')) {
    state.inside = 'expr';
    state.after = null;
    stream.eat('-');
    return 'brace';
  }
  if (stream.match('{%')) {
    state.inside = 'stmt';
    state.after = null;
    stream.eat('-');
    return 'brace';
  }
  if (stream.match('{#')) {
    state.inside = 'comment';
    return 'comment';
  }
  stream.next();
  // Plain text up to the next possible tag.
  while (!stream.eol() && stream.peek() !== '{') stream.next();
  return null;
}

function tag(stream: StringStream, state: JinjaState): string | null {
  if (stream.eatSpace()) return null;
  const closing = state.inside === 'expr' ? /^-?\}\}/ : /^-?%\}/;
  if (stream.match(closing)) {
    state.inside = null;
    state.after = null;
    return 'brace';
  }
  const after = state.after;
  state.after = null;
  if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^'(?:[^'\\]|\\.)*'?/)) return 'string';
  if (stream.match(/^\d+(?:\.\d+)?/)) return 'number';
  const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/);
  if (word && typeof word !== 'boolean') {
    const name = word[0];
    if (after === 'pipe') return 'variableName.function';
    if (after === 'dot') return 'propertyName';
    if (CONSTANTS.has(name)) return 'bool';
    if (JINJA_KEYWORDS.has(name)) return 'keyword';
    return 'variableName';
  }
  const char = stream.next();
  if (char === '|') {
    state.after = 'pipe';
    return 'operator';
  }
  if (char === '.') {
    state.after = 'dot';
    return 'punctuation';
  }
  if (char === '(' || char === ')' || char === '[' || char === ']') return 'bracket';
  if (char === ',' || char === ':') return 'punctuation';
  return 'operator';
}

export const jinjaLanguage = StreamLanguage.define<JinjaState>({
  name: 'jinja',
  startState: () => ({ inside: null, after: null }),
  copyState: (state) => ({ ...state }),
  token(stream, state) {
    if (state.inside === 'comment') {
      if (stream.skipTo('#}')) {
        stream.match('#}');
        state.inside = null;
      } else {
        stream.skipToEnd();
      }
      return 'comment';
    }
    return state.inside === null ? text(stream, state) : tag(stream, state);
  },
  languageData: { commentTokens: { block: { open: '{#', close: '#}' } } },
});

/** Where the cursor is in a template: inside `{{ }}` or `{% %}` (and which), or outside. */
export function tagAt(doc: string, pos: number): 'expr' | 'stmt' | null {
  const before = doc.slice(0, pos);
  const comment = before.lastIndexOf('{#');
  if (comment >= 0 && before.indexOf('#}', comment) < 0) return null;
  const open = Math.max(before.lastIndexOf('{{'), before.lastIndexOf('{%'));
  if (open < 0) return null;
  const kind = before.slice(open, open + 2) === '{{' ? 'expr' : 'stmt';
  const closed = before.indexOf(kind === 'expr' ? '}}' : '%}', open + 2);
  return closed >= 0 ? null : kind;
}
