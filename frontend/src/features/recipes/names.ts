/** Names the API accepts for recipes and datasets. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function nameProblem(name: string): string | null {
  if (!name) return 'Give the recipe a name.';
  if (!NAME_PATTERN.test(name)) return 'Letters, digits, dots, dashes and underscores, starting with a letter or digit.';
  return null;
}

/** `base`, or `base-2`, `base-3`, … when taken. */
export function freeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) {
    const name = `${base}-${n}`;
    if (!taken.has(name)) return name;
  }
}

/** A recipe name from a file name (`My recipe.yaml` → `My-recipe`). */
export function nameFromFile(fileName: string): string {
  const stem = fileName.replace(/\.(ya?ml|txt)$/i, '');
  const clean = stem.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return clean.slice(0, 128) || 'imported-recipe';
}

/** Whether a YAML document names itself (a top-level `name:` with a value). */
export function yamlHasName(yaml: string): boolean {
  return /^name:[ \t]*[^\s#]/m.test(yaml);
}
