import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lathe = process.env.LATHE_BIN ?? resolve(frontend, '../.venv/bin/lathe');
const python = process.env.LATHE_PYTHON ?? join(dirname(lathe), 'python');

/** This shell's environment without LATHE_* settings, so the server is isolated from them. */
function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('LATHE_')));
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`lathe serve exited with ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`lathe serve did not answer ${url}/api/health within 90 s:\n${log()}`);
}

/** A tiny random Llama with a tokenizer and a chat template, to import by path and train on
 * (see write_tiny_model.py). */
function writeTinyModel(dir: string): void {
  try {
    execFileSync(python, [join(frontend, 'e2e', 'write_tiny_model.py'), dir], { stdio: 'pipe', timeout: 120_000 });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`could not write the tiny test model with ${python}:\n${stderr}`);
  }
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(join(frontend, 'dist', 'index.html'))) {
    throw new Error('frontend/dist is missing: run `npm run build` before `npm run e2e`.');
  }
  if (!existsSync(lathe)) throw new Error(`lathe binary not found at ${lathe} (set LATHE_BIN).`);

  const work = mkdtempSync(join(tmpdir(), 'lathe-e2e-'));
  const home = join(work, 'home');
  mkdirSync(home);
  const tinyModel = join(work, 'tiny-llama');
  writeTinyModel(tinyModel);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(lathe, ['serve', '--host', '127.0.0.1', '--port', String(port)], {
    env: { ...inheritedEnv(), LATHE_HOME: home, LATHE_FRONTEND_DIST: join(frontend, 'dist') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    if (process.env.LATHE_E2E_VERBOSE) process.stderr.write(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  await waitForHealth(url, child, () => output);
  process.env.LATHE_E2E_URL = url;
  process.env.LATHE_E2E_TINY_MODEL = tinyModel;

  return async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise<void>((done) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          done();
        }, 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
      });
    }
    rmSync(work, { recursive: true, force: true });
  };
}
