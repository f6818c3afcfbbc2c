import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UnrecoverableError } from 'bullmq';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform.ts';
import { TEST_SERVICE_KEY } from '../support/constants.ts';
import { SystemEvent } from '../../src/entities/system-event.entity.ts';
import { OutboxJob } from '../../src/entities/outbox-job.entity.ts';
import { auditEvent } from '../../src/queues/audit-event.ts';
import { defineJob } from '../../src/queues/define-job.ts';
import { enqueueInTransaction, InvalidPayloadError } from '../../src/queues/producer.ts';
import { relayOutboxBatch } from '../../src/queues/outbox-relay.ts';
import { register } from '../../src/workers/context.ts';
import { registrations } from '../../src/workers/processors.ts';
import { deterministicUuid } from '../../src/lib/ids.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(() => platform.close());

const flaky = defineJob({
  name: 'test-flaky',
  schema: z.object({ run_id: z.string() }),
  options: { attempts: 3, backoff: { type: 'exponential', delay: 100 }, removeOnFail: false },
  durable: false,
});
const attemptTimes = new Map<string, number[]>();
const flakyRegistration = register(flaky, async (p, ctx) => {
  attemptTimes.set(p.run_id, [...(attemptTimes.get(p.run_id) ?? []), Date.now()]);
  if (ctx.attempt > 99) return;
  throw new Error(`downstream unavailable (attempt ${ctx.attempt})`);
});

beforeAll(() => {
  platform.startWorkers([...registrations, flakyRegistration]);
});

const failureRow = (queue: string, jobId: string) =>
  platform.orm.em.fork().findOne(SystemEvent, { id: deterministicUuid(`job-failed:${queue}:${jobId}`) });

describe('a job end to end: API → outbox → Redis → worker → system_events', () => {
  it('writes the audit event the API accepted', async () => {
    const res = await platform.app.request('/v1/audit-events', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${TEST_SERVICE_KEY}`,
        'x-request-id': 'e2e-1',
      },
      body: JSON.stringify({
        event_type: 'consent_given',
        event_category: 'privacy',
        severity: 'info',
        event_data: { consent_version: '2' },
      }),
    });
    expect(res.status).toBe(202);
    const { job_id } = await res.json();
    const row = await eventually(() =>
      platform.orm.em.fork().findOne(SystemEvent, { id: deterministicUuid(`audit-event:${job_id}`) }),
    );
    expect(row).toMatchObject({ eventType: 'consent_given', eventCategory: 'privacy', severity: 'info' });
    expect(row.eventData).toEqual({ consent_version: '2', request_id: 'e2e-1' });
    const job = await platform.producer.queue(auditEvent).getJob(job_id);
    expect(await job?.getState()).toBe('completed');
    const outbox = await platform.orm.em.fork().findOneOrFail(OutboxJob, job_id);
    expect(outbox.enqueuedAt).toBeInstanceOf(Date);
  });
});

describe('retries and failure', () => {
  it('retries a throwing job with exponential backoff, then records it as failed', async () => {
    const runId = randomUUID();
    const jobId = await platform.producer.enqueue(flaky, { run_id: runId });
    const row = await eventually(() => failureRow(flaky.name, jobId));
    expect(row).toMatchObject({ eventType: 'job_failed', eventCategory: 'jobs', severity: 'error' });
    expect(row.eventData).toMatchObject({ queue: 'test-flaky', job_id: jobId, attempts: 3, error: 'Error' });

    const job = await platform.producer.queue(flaky).getJob(jobId);
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(3);
    const [t1, t2, t3] = attemptTimes.get(runId)!;
    expect(t2! - t1!).toBeGreaterThanOrEqual(100); // 100 ms, then 200 ms
    expect(t3! - t2!).toBeGreaterThanOrEqual(200);
  });

  it('fails a job with an invalid payload at once, without retrying', async () => {
    // Written straight to Redis, past the producer's check, as a stale or foreign producer would.
    const job = await platform.producer
      .queue(auditEvent)
      .add(auditEvent.name, { severity: 'loud' } as never, auditEvent.options);
    const row = await eventually(() => failureRow(auditEvent.name, job.id!));
    expect(row.eventData).toMatchObject({ attempts: 1, error: 'UnrecoverableError' });
    expect(String(row.eventData.message)).toMatch(/invalid payload at .*severity/);
    expect(UnrecoverableError.name).toBe('UnrecoverableError');
  });
});

describe('payload validation happens before Redis', () => {
  it('rejects an invalid payload without adding a job', async () => {
    const queue = platform.producer.queue(auditEvent);
    const before = await queue.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed');
    const bad = {
      user_id: 'not-a-uuid',
      event_type: 'x',
      event_category: 'system',
      severity: 'info',
      event_data: {},
      request_id: null,
    };
    await expect(platform.producer.enqueue(auditEvent, bad as never)).rejects.toThrow(InvalidPayloadError);
    await expect(platform.producer.enqueue(auditEvent, bad as never)).rejects.toThrow(/user_id/);
    expect(await queue.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed')).toBe(before);
  });

  it('rejects an invalid payload before it reaches the outbox', () => {
    const em = platform.orm.em.fork();
    expect(() => enqueueInTransaction(em, auditEvent, { severity: 'loud' } as never)).toThrow(InvalidPayloadError);
    expect(em.getUnitOfWork().getPersistStack().size).toBe(0);
  });
});

describe('the outbox relay is idempotent', () => {
  it('relaying the same row twice adds one job, and the job writes one row', async () => {
    const em = platform.orm.em.fork();
    const row = enqueueInTransaction(em, auditEvent, {
      user_id: null,
      event_type: 'relay_twice',
      event_category: 'system',
      severity: 'info',
      event_data: {},
      request_id: null,
    });
    await em.flush();
    await platform.producer.relay(row); // a relay that crashed before marking the row...
    await relayOutboxBatch(platform.orm.em, platform.producer, 100); // ...and the next relay
    await eventually(() =>
      platform.orm.em.fork().findOne(SystemEvent, { id: deterministicUuid(`audit-event:${row.id}`) }),
    );
    const queue = platform.producer.queue(auditEvent);
    const jobs = (await queue.getJobs(['completed', 'active', 'waiting'])).filter(
      (j) => j.data.event_type === 'relay_twice',
    );
    expect(jobs).toHaveLength(1);
    expect(await platform.orm.em.fork().count(SystemEvent, { eventType: 'relay_twice' })).toBe(1);
  });

  it('a rolled-back transaction leaves no job behind', async () => {
    const em = platform.orm.em.fork();
    await expect(
      em.transactional(async (tx) => {
        enqueueInTransaction(tx, auditEvent, {
          user_id: null,
          event_type: 'rolled_back',
          event_category: 'system',
          severity: 'info',
          event_data: {},
          request_id: null,
        });
        await tx.flush();
        throw new Error('the request failed after writing');
      }),
    ).rejects.toThrow('the request failed');
    expect(await platform.orm.em.fork().count(OutboxJob, { payload: { event_type: 'rolled_back' } })).toBe(0);
  });
});

describe('worker concurrency', () => {
  const wide = defineJob({
    name: 'test-wide',
    schema: z.object({ n: z.number() }),
    options: { removeOnComplete: true },
    durable: false,
    concurrency: 3,
  });
  const plain = defineJob({
    name: 'test-plain',
    schema: z.object({ n: z.number() }),
    options: { removeOnComplete: true },
    durable: false,
  });

  it('runs a contract’s own concurrency at once, and the runtime’s for a type without one', async () => {
    let running = 0;
    let peak = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const runtime = platform.startWorkers([
      register(wide, async () => {
        peak = Math.max(peak, ++running);
        await gate;
        running--;
      }),
      register(plain, async () => undefined),
    ]);
    await Promise.all([1, 2, 3, 4, 5].map((n) => platform.producer.enqueue(wide, { n })));
    await eventually(async () => running === 3);
    await new Promise((r) => setTimeout(r, 200)); // a fourth slot would have taken a job by now
    expect(peak).toBe(3); // the platform's runtime concurrency is 2
    release();
    await eventually(async () => (await platform.producer.queue(wide).getJobCountByTypes('waiting', 'active')) === 0);
    expect(runtime.workers.map((w) => [w.name, w.opts.concurrency])).toEqual([
      ['test-wide', 3],
      ['test-plain', 2],
    ]);
  });
});
