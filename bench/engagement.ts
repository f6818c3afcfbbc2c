// Activity events through the real engagement-update job (BullMQ → worker → PostgreSQL), with 1% of
// them delivered twice, then the recompute's agreement with the incremental values (must be 100%).
import { randomUUID } from 'node:crypto';
import { createLogger } from '../src/lib/logger.ts';
import { producerConnection } from '../src/queues/connection.ts';
import { Producer } from '../src/queues/producer.ts';
import { engagementUpdate } from '../src/queues/engagement-update.ts';
import { recomputeEngagement } from '../src/queues/recompute-engagement.ts';
import { startWorkerRuntime } from '../src/workers/runtime.ts';
import { registrations } from '../src/workers/processors.ts';
import { ActivityEvent } from '../src/entities/activity-event.entity.ts';
import { SystemEvent } from '../src/entities/system-event.entity.ts';
import { deterministicUuid } from '../src/lib/ids.ts';
import { benchEnv, headline, printTable, round, saveResults } from './support.ts';

const USERS = Number(process.env.BENCH_USERS ?? 1_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

const env = await benchEnv('engagement');
const { config, orm } = env;
const producer = new Producer(producerConnection(config.REDIS_URL), config.REDIS_PREFIX);
const log = createLogger('silent');
const kinds = ['message', 'message', 'message', 'checkin_response', 'call_completed'] as const;

try {
  const userIds = Array.from({ length: USERS }, () => randomUUID());
  await orm.em.getConnection().execute(`insert into users (id) select unnest(?::uuid[])`, [`{${userIds.join(',')}}`]);
  const start = Date.parse('2026-01-01T00:00Z');
  const events = Array.from({ length: EVENTS }, (_, i) => {
    const kind = kinds[i % kinds.length]!;
    return {
      user_id: userIds[i % USERS]!,
      kind,
      source_id: randomUUID(),
      conversation_id: null,
      // Mostly in order, with some jitter so a few arrive late and force a refold.
      occurred_at: new Date(start + i * 60_000 + ((i * 7919) % 5) * 3_600_000).toISOString(),
      crisis: i % 97 === 0,
      minutes: kind === 'call_completed' ? 5 : null,
    };
  });
  const duplicates = events.filter((_, i) => i % 100 === 0);
  const queue = producer.queue(engagementUpdate);
  const all = [...events, ...duplicates];
  for (let i = 0; i < all.length; i += 1_000) {
    await queue.addBulk(
      all.slice(i, i + 1_000).map((data) => ({
        name: engagementUpdate.name,
        data,
        opts: { ...engagementUpdate.options, removeOnComplete: true },
      })),
    );
  }

  const t = performance.now();
  const runtime = startWorkerRuntime({
    orm,
    producer,
    log,
    redisUrl: config.REDIS_URL,
    prefix: config.REDIS_PREFIX,
    concurrency: CONCURRENCY,
    registrations: registrations.filter((r) =>
      ([engagementUpdate.name, recomputeEngagement.name] as string[]).includes(r.job.name),
    ),
  });
  while ((await queue.getJobCountByTypes('waiting', 'active', 'prioritized', 'delayed')) > 0)
    await new Promise((r) => setTimeout(r, 200));
  const seconds = (performance.now() - t) / 1000;
  const counted = await orm.em.fork().count(ActivityEvent, {});
  const failed = await queue.getJobCountByTypes('failed');

  const t2 = performance.now();
  const jobId = await producer.enqueue(recomputeEngagement, { user_id: null });
  const reportId = deterministicUuid(`recompute-engagement:${jobId}`);
  let report = await orm.em.fork().findOne(SystemEvent, { id: reportId });
  while (!report) {
    await new Promise((r) => setTimeout(r, 200));
    report = await orm.em.fork().findOne(SystemEvent, { id: reportId });
  }
  const recomputeSeconds = (performance.now() - t2) / 1000;
  await runtime.close(5_000);
  const { users, differences } = report.eventData as { users: number; differences: number };

  const rows = [
    { figure: 'events delivered (incl. 1% duplicates)', value: all.length },
    { figure: 'events counted (must equal distinct events)', value: `${counted} / ${EVENTS}` },
    { figure: 'failed jobs', value: failed },
    { figure: `events/s through the job (concurrency ${CONCURRENCY})`, value: round(all.length / seconds) },
    { figure: 'recompute: users, seconds', value: `${users}, ${round(recomputeSeconds, 1)} s` },
    {
      figure: 'recompute agreement with incremental values',
      value: `${round(((users - differences) / users) * 100, 2)}% (${differences} differed)`,
    },
  ];
  printTable(`${EVENTS} activity events for ${USERS} users`, rows);
  headline(
    `engagement events through the job (${EVENTS} events, 1% duplicated)`,
    `${round(all.length / seconds)} events/s, ${counted} / ${EVENTS} counted, recompute agreement ${round(((users - differences) / users) * 100, 2)}%`,
  );
  saveResults('engagement', { [`${EVENTS} activity events for ${USERS} users`]: rows });
} finally {
  await producer.close();
  producer.connection.disconnect();
  await env.dispose();
}
