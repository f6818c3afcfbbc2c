// SIGTERM during a running job never loses it: it completes before the process exits, or, past the
// shutdown timeout, it is released and runs once after a restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform.ts';
import { SystemEvent } from '../../src/entities/system-event.entity.ts';
import { slowJob } from '../fixtures/slow-job.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(() => platform.close());

interface WorkerProcess {
  proc: ChildProcess;
  lines: string[];
  waitFor(prefix: string): Promise<string>;
  exited: Promise<number | null>;
}

function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const proc = spawn(process.execPath, ['test/fixtures/slow-worker.ts'], {
    env: { ...process.env, REDIS_PREFIX: platform.config.REDIS_PREFIX, ...TIMING, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: { prefix: string; resolve: (l: string) => void }[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    lines.push(line);
    if (process.env.TEST_ECHO_CHILD) process.stderr.write(`child ${Date.now() % 100000}: ${line}\n`);
    for (const w of waiters.filter((w) => line.startsWith(w.prefix))) w.resolve(line);
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    proc,
    lines,
    exited,
    waitFor: (prefix) => {
      const seen = lines.find((l) => l.startsWith(prefix));
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ prefix, resolve }));
    },
  };
}

// Short lock and stall-check periods for every worker of this file: BullMQ lets one stall check per
// interval per queue, so a worker with the default 30 s would delay the others' checks.
const TIMING = { WORKER_LOCK_MS: '1500', WORKER_STALLED_CHECK_MS: '500' };

const runsOf = (runId: string) =>
  platform.orm.em.fork().count(SystemEvent, { eventType: 'slow_done', eventData: { run_id: runId } });

// Each test boots one or two real worker processes: on a loaded machine a boot alone can take 10 s.
describe('SIGTERM during a running job', { timeout: 60_000 }, () => {
  it('lets the job finish, then exits 0', async () => {
    const worker = startWorkerProcess({ SLOW_MS: '1000', SHUTDOWN_TIMEOUT_MS: '8000' });
    await worker.waitFor('ready');
    const runId = randomUUID();
    const jobId = await platform.producer.enqueue(slowJob, { run_id: runId });
    await worker.waitFor(`started ${jobId}`);
    worker.proc.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(await runsOf(runId)).toBe(1);
    expect(await (await platform.producer.queue(slowJob).getJob(jobId))?.getState()).toBe('completed');
  });

  it('past the shutdown timeout releases the job, which runs once after a restart', async () => {
    const first = startWorkerProcess({ SLOW_MS: '60000', SHUTDOWN_TIMEOUT_MS: '200' });
    await first.waitFor('ready');
    const runId = randomUUID();
    const jobId = await platform.producer.enqueue(slowJob, { run_id: runId });
    await first.waitFor(`started ${jobId}`);
    first.proc.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(await runsOf(runId)).toBe(0);

    const second = startWorkerProcess({ SLOW_MS: '100' });
    try {
      await second.waitFor(`started ${jobId}`);
      await eventually(async () => (await platform.producer.queue(slowJob).getJob(jobId))?.finishedOn, 10_000);
      expect(await (await platform.producer.queue(slowJob).getJob(jobId))?.getState()).toBe('completed');
      await new Promise((r) => setTimeout(r, 1_000)); // a second stall check must not run it again
      expect(await runsOf(runId)).toBe(1);
    } finally {
      second.proc.kill('SIGTERM');
      await second.exited;
    }
  });
});

describe('a shutdown that hangs', { timeout: 60_000 }, () => {
  it('exits 1 at its deadline instead of ignoring SIGTERM', async () => {
    const worker = startWorkerProcess({
      HANG_ON_STOP: '1',
      STOP_DEADLINE_MS: '700',
      SHUTDOWN_TIMEOUT_MS: '200',
      LOG_LEVEL: 'error',
    });
    await worker.waitFor('ready');
    const t = performance.now();
    worker.proc.kill('SIGTERM');
    expect(await worker.exited).toBe(1);
    expect(performance.now() - t).toBeLessThan(5_000);
    expect(worker.lines.some((l) => l.includes('shutdown did not finish in time'))).toBe(true);
  });
});
