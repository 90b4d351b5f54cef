/** What a filter expression may use besides column names (lathe.recipes.expr): offered by the
 * expression editor's completion. Kept free of CodeMirror so the form can read it cheaply. */

export interface FilterFunction {
  name: string;
  /** How it is called. */
  signature: string;
  doc: string;
}

export const FILTER_FUNCTIONS: readonly FilterFunction[] = [
  { name: 'len', signature: 'len(x)', doc: 'Characters of a string, items of a list, turns of a conversation.' },
  { name: 'lower', signature: 'lower(s)', doc: 'Lower case.' },
  { name: 'upper', signature: 'upper(s)', doc: 'Upper case.' },
  { name: 'strip', signature: 'strip(s)', doc: 'Without leading and trailing whitespace.' },
  { name: 'contains', signature: "contains(s, 'text')", doc: 's contains the literal text.' },
  { name: 'startswith', signature: "startswith(s, 'text')", doc: 's starts with the literal text.' },
  { name: 'endswith', signature: "endswith(s, 'text')", doc: 's ends with the literal text.' },
  { name: 'matches', signature: "matches(s, 'regex')", doc: 'The regex (RE2 syntax) matches somewhere in s.' },
  { name: 'num', signature: 'num(x)', doc: 'x as a number; null when a string is not one.' },
  { name: 'abs', signature: 'abs(n)', doc: 'Absolute value.' },
  { name: 'turns', signature: 'turns(messages)', doc: 'Number of turns of a conversation.' },
  { name: 'chars', signature: 'chars(x)', doc: 'Characters of a string, or of all the turns of a conversation.' },
  { name: 'words', signature: 'words(x)', doc: 'Words of a string, or of all the turns of a conversation.' },
  { name: 'role', signature: 'role(messages, i)', doc: 'The role of turn i (0-based; negative counts from the end).' },
  { name: 'content', signature: 'content(messages, i)', doc: 'The content of turn i (0-based; negative counts from the end).' },
  { name: 'col', signature: "col('a name')", doc: 'A column whose name is not a plain identifier.' },
];

export const FILTER_KEYWORDS: readonly string[] = ['and', 'or', 'not', 'in', 'is', 'None', 'True', 'False'];

/** Whether a column can be written by its bare name in an expression or template. */
export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !FILTER_KEYWORDS.includes(name);
}
