import { CompletionContext, type CompletionResult, type CompletionSource } from '@codemirror/autocomplete';
import { ensureSyntaxTree } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import {
  expressionLanguage,
  filterCompletionSource,
  problemDiagnostics,
  templateCompletionSource,
  templateLanguage,
} from './codeLanguage';

const columns = [
  { name: 'question', type: 'string' },
  { name: 'answer', type: 'string' },
  { name: 'messages', type: 'messages' },
  { name: 'a name', type: 'int' },
];

/** Runs a completion source with the cursor at `‸` in `doc`. */
function complete(source: CompletionSource, doc: string, language: 'expression' | 'jinja', explicit = false) {
  const pos = doc.indexOf('‸');
  const text = doc.replace('‸', '');
  const state = EditorState.create({
    doc: text,
    extensions: [language === 'jinja' ? templateLanguage(columns) : expressionLanguage()],
  });
  const result = source(new CompletionContext(state, pos, explicit)) as CompletionResult | null;
  return { result, labels: result?.options.map((option) => option.label) ?? [], text };
}

describe('filter expression completion', () => {
  const source = filterCompletionSource(columns);

  it('offers the columns, the filter functions and keywords for the word being typed', () => {
    const { result, labels } = complete(source, 'len(ques‸', 'expression');
    expect(result?.from).toBe(4);
    expect(labels.slice(0, 4)).toEqual(['question', 'answer', 'messages', 'a name']);
    for (const name of ['len', 'lower', 'contains', 'matches', 'turns', 'chars', 'words', 'role', 'content', 'col']) {
      expect(labels).toContain(name);
    }
    expect(labels).toContain('and');
    const column = result?.options.find((option) => option.label === 'question');
    expect(column).toMatchObject({ type: 'variable', detail: 'string', apply: 'question' });
    expect(result?.options.find((option) => option.label === 'contains')).toMatchObject({
      type: 'function',
      apply: 'contains(',
      detail: "contains(s, 'text')",
    });
  });

  it("completes a name that is not an identifier as col('…')", () => {
    const { result } = complete(source, 'a‸', 'expression');
    expect(result?.options.find((option) => option.label === 'a name')?.apply).toBe("col('a name')");
  });

  it("offers the plain column names inside col('…'), and nothing inside other strings", () => {
    const inCol = complete(source, "col('a ‸')", 'expression');
    expect(inCol.labels).toEqual(['question', 'answer', 'messages', 'a name']);
    expect(inCol.result?.from).toBe(5);
    expect(complete(source, "contains(answer, 'ques‸')", 'expression').result).toBeNull();
  });

  it('stays quiet with nothing typed unless asked, and after a dot', () => {
    expect(complete(source, 'len(‸', 'expression').result).toBeNull();
    expect(complete(source, 'len(‸', 'expression', true).labels).toContain('question');
    expect(complete(source, 'answer.up‸', 'expression').result).toBeNull();
  });
});

describe('template completion', () => {
  const source = templateCompletionSource(columns);

  it('offers the columns as variables inside {{ }} (identifiers only)', () => {
    const { labels } = complete(source, 'Q: {{ que‸', 'jinja');
    expect(labels).toContain('question');
    expect(labels).toContain('answer');
    expect(labels).toContain('messages');
    expect(labels).not.toContain('a name');
  });

  it('offers role and content after a turn, filters after a pipe, tags in {% %}', () => {
    expect(complete(source, '{% for turn in messages %}{{ turn.‸', 'jinja').labels).toEqual(['role', 'content']);
    expect(complete(source, '{{ messages[0].co‸', 'jinja').labels).toEqual(['role', 'content']);
    const filters = complete(source, '{{ answer | up‸', 'jinja');
    expect(filters.labels).toContain('upper');
    expect(filters.labels).not.toContain('question');
    expect(filters.result?.from).toBe(12);
    const tags = complete(source, '{% en‸', 'jinja').labels;
    expect(tags).toContain('endfor');
    expect(tags).toContain('question');
  });

  it('stays quiet outside tags, in strings and closed tags', () => {
    expect(complete(source, 'Write about que‸', 'jinja').result).toBeNull();
    expect(complete(source, '{{ question }} and ans‸', 'jinja').result).toBeNull();
    expect(complete(source, "{{ 'que‸", 'jinja').result).toBeNull();
    expect(complete(source, '{# a comment {{ que‸', 'jinja').result).toBeNull();
    expect(complete(source, '{{ ‸', 'jinja').result).toBeNull();
    expect(complete(source, '{{ ‸', 'jinja', true).labels).toContain('question');
  });
});

describe('problem marks', () => {
  it('marks the word at a filter offset', () => {
    const doc = 'len(foo) > 3';
    expect(problemDiagnostics(doc, [{ message: "unknown name 'foo'", offset: 4 }])).toEqual([
      { from: 4, to: 7, severity: 'error', message: "unknown name 'foo'" },
    ]);
    // At the very end (an unfinished expression): a point at the end.
    expect(problemDiagnostics(doc, [{ message: 'unexpected end', offset: 99 }])[0]).toMatchObject({ from: 12, to: 12 });
  });

  it('marks the quoted name on a template line, else the whole line', () => {
    const doc = 'Q: {{ question }}\nA: {{ anser }}';
    expect(problemDiagnostics(doc, [{ message: "the template uses 'anser' (line 2), which is not a column", line: 2 }])[0]).toMatchObject({
      from: 24,
      to: 29,
    });
    expect(problemDiagnostics(doc, [{ message: 'syntax error', line: 1 }])[0]).toMatchObject({ from: 0, to: 17 });
    expect(problemDiagnostics(doc, [{ message: 'no place' }])).toEqual([]);
  });
});

describe('template highlighting', () => {
  it('tells tags, names, filters, strings and comments from the plain text around them', () => {
    const doc = "Hi {{ name | upper }} {% if x == 'a' %}{{ turn.role }}{% endif %}{# note #} done";
    const state = EditorState.create({ doc, extensions: [templateLanguage(columns)] });
    const tokens: string[] = [];
    ensureSyntaxTree(state, doc.length, 5000)?.iterate({
      enter: (node) => {
        if (node.name !== 'Document' && node.from < node.to) tokens.push(`${node.name}:${doc.slice(node.from, node.to)}`);
      },
    });
    expect(tokens).toEqual([
      'brace:{{',
      'variableName:name',
      'operator:|',
      'variableName.function:upper',
      'brace:}}',
      'brace:{%',
      'keyword:if',
      'variableName:x',
      'operator:==',
      "string:'a'",
      'brace:%}{{', // adjacent tokens of one kind read as one
      'variableName:turn',
      'punctuation:.',
      'propertyName:role',
      'brace:}}{%',
      'keyword:endif',
      'brace:%}',
      'comment:{# note #}',
    ]);
  });
});
