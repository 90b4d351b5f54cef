// Fails when src/api is not what openapi.json generates (a stale or hand-edited client).
// Regenerates into a temporary folder with the same config and compares file by file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const committed = join(root, 'src', 'api');
const fresh = mkdtempSync(join(tmpdir(), 'lathe-api-'));

function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

try {
  const run = spawnSync(process.execPath, [join(root, 'node_modules', '@hey-api', 'openapi-ts', 'bin', 'run.js'), '--silent'], {
    cwd: root,
    env: { ...process.env, LATHE_API_OUT: fresh },
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    console.error(run.stdout, run.stderr);
    console.error('check:api: generating the client from openapi.json failed.');
    process.exit(2);
  }
  const want = listFiles(fresh);
  const have = listFiles(committed);
  const problems = [];
  for (const file of want) {
    if (!have.includes(file)) problems.push(`missing: src/api/${file}`);
    else if (readFileSync(join(fresh, file), 'utf8') !== readFileSync(join(committed, file), 'utf8')) {
      problems.push(`differs: src/api/${file}`);
    }
  }
  for (const file of have) if (!want.includes(file)) problems.push(`not generated: src/api/${file}`);
  if (problems.length > 0) {
    console.error('check:api: src/api is stale or was edited by hand; it does not match openapi.json:');
    for (const line of problems) console.error(`  ${line}`);
    console.error('Run `npm run gen:api` (after refreshing openapi.json with `npm run gen:spec`) and commit the result.');
    process.exit(1);
  }
  console.log(`check:api: src/api matches openapi.json (${want.length} files).`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
