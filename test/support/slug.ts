// The slug a Heroku-style Node buildpack builds, and its Procfile roles as the platform starts them: a clean
// clone of the worktree's HEAD (committed code only), `npm ci --omit=dev`, NODE_ENV=production.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface Slug {
  dir: string;
  /** Procfile role -> argv (`node` still first). */
  procfile: Record<string, string[]>;
  remove(): void;
}

const REPO = new URL('../..', import.meta.url).pathname;

export function buildSlug(): Slug {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-slug-'));
  execFileSync('git', ['clone', '--quiet', REPO, dir], { stdio: 'pipe' });
  // --prefer-offline: the packages are in the npm cache already (the worktree's own `npm ci` put them there).
  execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: dir,
    stdio: 'pipe',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const procfile = Object.fromEntries(
    readFileSync(join(dir, 'Procfile'), 'utf8')
      .split('\n')
      .filter((line) => line.includes(':'))
      .map((line) => {
        const [role, command] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)];
        return [role.trim(), command.trim().split(/\s+/)];
      }),
  );
  return { dir, procfile, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const parse = (line: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
};

export interface RoleProcess {
  proc: ChildProcess;
  /** Every stdout line so far (JSON log lines). */
  lines: string[];
  stderr(): string;
  /** Resolves when the process logs `msg`; rejects when it exits first (with its stderr). */
  waitFor(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  /** SIGTERM; resolves with the exit code and how long the stop took. */
  stop(): Promise<{ code: number | null; ms: number }>;
}

/**
 * Starts a Procfile role from the slug. The pruned install has no `node` devDependency, so `node` is the
 * Node this test runs on (process.execPath): the project's Node 24 from its own node_modules, the major
 * `engines.node` names and a buildpack would choose.
 */
export function startRole(slug: Slug, role: string, env: Record<string, string>): RoleProcess {
  const [command, ...args] = slug.procfile[role] ?? [];
  if (command !== 'node') throw new Error(`Procfile ${role}: expected a node command, got ${command}`);
  const proc = spawn(process.execPath, args, { cwd: slug.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  proc.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const listeners = new Set<(entry: Record<string, unknown>) => void>();
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    lines.push(line);
    if (process.env.TEST_ECHO_CHILD) process.stderr.write(`${role}: ${line}\n`);
    const entry = parse(line);
    if (entry) for (const listener of listeners) listener(entry);
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    proc,
    lines,
    stderr: () => stderr,
    exited,
    waitFor(msg, timeoutMs = 30_000) {
      const seen = lines.map(parse).find((e) => e?.msg === msg);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${role}: no "${msg}" within ${timeoutMs} ms`)), timeoutMs);
        const listener = (entry: Record<string, unknown>) => {
          if (entry.msg !== msg) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(entry);
        };
        listeners.add(listener);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${role} exited ${code} before "${msg}": ${stderr.trim() || lines.slice(-3).join(' ')}`));
        });
      });
    },
    async stop() {
      const started = performance.now();
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const code = await exited;
      return { code, ms: performance.now() - started };
    },
  };
}
