// The process entry as an operator meets it: it starts, answers, stops on SIGTERM with exit 0, and
// says in one line what is missing when it cannot start.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { uniquePrefix } from '../support/platform.ts';

const main = (args: string[], env: Record<string, string> = {}) =>
  spawn(process.execPath, ['src/main.ts', ...args], {
    env: { ...process.env, LOG_LEVEL: 'info', REDIS_PREFIX: uniquePrefix(), PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

describe('node src/main.ts', () => {
  it('starts web + worker + clock, serves /healthz, and exits 0 on SIGTERM', async () => {
    const proc = main(['web', 'worker', 'clock']);
    const lines = createInterface({ input: proc.stdout! });
    let port = 0;
    for await (const line of lines) {
      const entry = JSON.parse(line);
      if (entry.msg === 'api listening') port = entry.port;
      if (entry.msg === 'hearth ready') break;
    }
    expect(port).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it("without Redis, prints one line with the driver's reason and how to start one, and exits 1", () => {
    const result = spawnSync(process.execPath, ['src/main.ts', 'worker'], {
      env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^hearth: Redis is not reachable at redis:\/\/127\.0\.0\.1:1 \(connect ECONNREFUSED 127\.0\.0\.1:1\): start one .* or set REDIS_URL$/,
    );
  });

  it('without PostgreSQL, prints one line naming it, and exits 1', () => {
    const result = spawnSync(process.execPath, ['src/main.ts', 'web'], {
      env: { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/hearth' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^hearth: PostgreSQL is not reachable at postgres:\/\/127\.0\.0\.1:1\/hearth .*set DATABASE_URL$/,
    );
  });

  it('refuses an unknown WORKER_QUEUES entry by name', () => {
    const result = spawnSync(process.execPath, ['src/main.ts', 'worker'], {
      env: { ...process.env, WORKER_QUEUES: 'audit-event,nope' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/WORKER_QUEUES: unknown queue nope/);
  });
});
