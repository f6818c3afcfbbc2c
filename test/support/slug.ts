// The slug a Heroku-style Node buildpack builds, and its Procfile roles as the platform starts them: a clean
// clone of the worktree's HEAD (committed code only), `npm ci --omit=dev`, NODE_ENV=production.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMain, type MainProcess } from './main-process.ts';

export interface Slug {
  dir: string;
  /** Procfile role -> argv (`node` still first). */
  procfile: Record<string, string[]>;
  remove(): Promise<void>;
}

const REPO = new URL('../..', import.meta.url).pathname;

/** Procfile role -> argv (`node` still first), as the platform would run each line. */
export function readProcfile(dir: string = REPO): Record<string, string[]> {
  return Object.fromEntries(
    readFileSync(join(dir, 'Procfile'), 'utf8')
      .split('\n')
      .filter((line) => line.includes(':'))
      .map((line) => {
        const [role, command] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)];
        return [role.trim(), command.trim().split(/\s+/)];
      }),
  );
}

export function buildSlug(): Slug {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-slug-'));
  execFileSync('git', ['clone', '--quiet', REPO, dir], { stdio: 'pipe' });
  // --prefer-offline: the packages are in the npm cache already (the worktree's own `npm ci` put them there).
  execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: dir,
    stdio: 'pipe',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  return { dir, procfile: readProcfile(dir), remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Starts a Procfile role from the slug. The pruned install has no `node` devDependency, so `node` is the
 * Node this test runs on (process.execPath): the project's Node 24 from its own node_modules, the major
 * `engines.node` names and a buildpack would choose.
 */
export function startRole(slug: Slug, role: string, env: NodeJS.ProcessEnv): MainProcess {
  const [command, ...args] = slug.procfile[role] ?? [];
  if (command !== 'node') throw new Error(`Procfile ${role}: expected a node command, got ${command}`);
  return startMain([role], env, { cwd: slug.dir, args });
}
