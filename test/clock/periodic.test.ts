import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform.ts';
import { startClock } from '../../src/clock/clock.ts';
import { periodic } from '../../src/clock/periodic.ts';
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
      payload: { user_id: null, event_type: 'tick', event_category: 'system', severity: 'debug', event_data: {}, request_id: null },
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
