import { Worker } from 'bullmq';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform.ts';
import { startClock } from '../../src/clock/clock.ts';
import { periodic, upsertPeriodicJobs } from '../../src/clock/periodic.ts';
import { workerConnection } from '../../src/queues/connection.ts';
import { jobs } from '../../src/queues/index.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(() => platform.close());

const tick = jobs.auditEvent;

it('schedules declared periodic jobs once however many clocks start, and removes undeclared ones', async () => {
  const declared = [
    periodic({
      id: 'every-second-probe',
      job: tick,
      cron: '* * * * * *',
      payload: {
        user_id: null,
        event_type: 'tick',
        event_category: 'system',
        severity: 'debug',
        event_data: {},
        request_id: null,
      },
    }),
  ];
  const queue = platform.producer.queue(tick);
  await queue.upsertJobScheduler('stale-scheduler', { pattern: '0 0 * * *' }, { name: tick.name, data: {} });
  const clocks = await Promise.all([1, 2].map(() => startClock({ ...platform, periodic: declared })));
  try {
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toEqual(['every-second-probe']);
    await eventually(async () => (await queue.getJobCountByTypes('waiting', 'delayed', 'completed')) >= 1, 5_000);
  } finally {
    await Promise.all(clocks.map((c) => c.stop()));
  }
});

it('refuses a periodic job whose payload breaks its contract', async () => {
  const bad = [periodic({ id: 'bad', job: tick, cron: '0 * * * *', payload: { severity: 'loud' } as never })];
  await expect(startClock({ ...platform, periodic: bad })).rejects.toThrow(/invalid audit-event payload/);
});

it('a clock starts even when BullMQ refuses an iteration that another clock already ran (SchedulerJobIdCollision)', async () => {
  // Seen in the chaos suite (clocks scenario): a clock whose time is behind another's computes a next run
  // whose job already exists, finished; BullMQ refuses the upsert and the clock crashed at start-up. Made
  // here directly: the finished job of the next slot exists before this clock upserts its scheduler.
  const queue = platform.producer.queue(tick);
  const payload = {
    user_id: null,
    event_type: 'tick',
    event_category: 'system',
    severity: 'debug',
    event_data: {},
    request_id: null,
  } as const;
  const now = Date.UTC(2030, 0, 1, 12, 0, 30);
  const nextRun = Date.UTC(2030, 0, 1, 12, 1, 0);
  const ran = await queue.add(tick.name, payload, { jobId: `repeat:collide:${nextRun}` });
  const worker = new Worker(tick.name, async () => undefined, {
    connection: workerConnection(platform.config.REDIS_URL),
    prefix: platform.config.REDIS_PREFIX,
  });
  try {
    await eventually(async () => (await queue.getJobState(ran.id!)) === 'completed');
  } finally {
    await worker.close();
  }
  const clock = vi.spyOn(Date, 'now').mockReturnValue(now);
  try {
    await expect(
      upsertPeriodicJobs(
        platform.producer,
        [periodic({ id: 'collide', job: tick, cron: '* * * * *', payload })],
        platform.log,
      ),
    ).resolves.toBeUndefined();
  } finally {
    clock.mockRestore();
  }
});
