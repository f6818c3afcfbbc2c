// Moves committed outbox rows into BullMQ. Safe to run in several processes at once: rows are claimed
// with FOR UPDATE SKIP LOCKED, and each is added under its own id, which BullMQ de-duplicates. A crash
// after Queue.add but before the commit re-adds the same job id next time: a no-op.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OutboxJob } from '../entities/outbox-job.entity.ts';
import type { Logger } from '../lib/logger.ts';
import type { OutboxEntry, Producer } from './producer.ts';

export interface RelayResult {
  relayed: number;
  /** Set when Redis refused a row: the batch stops there and the row stays pending. */
  error?: string;
}

/** Relays one batch of pending rows, oldest first, in one transaction. */
export async function relayOutboxBatch(em: EntityManager, producer: Producer, batchSize: number): Promise<RelayResult> {
  // Don't lock rows for a Redis that is known to be away; try again next poll.
  if (producer.connection.status !== 'ready') return { relayed: 0, error: `redis ${producer.connection.status}` };
  return em.fork().transactional(async (tx) => {
    const rows = await tx.find(
      OutboxJob,
      { enqueuedAt: null },
      { orderBy: { createdAt: 'asc' }, limit: batchSize, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE },
    );
    let relayed = 0;
    for (const row of rows) {
      try {
        await producer.relay(row);
      } catch (err) {
        row.relayAttempts += 1;
        row.lastError = (err as Error).message.slice(0, 500);
        return { relayed, error: row.lastError };
      }
      row.enqueuedAt = new Date();
      relayed += 1;
    }
    return { relayed };
  });
}

/**
 * The fast path after a request commits: try to relay the row now so the job starts at once. Any
 * failure is left to the polling relay; the row is already durable.
 */
export function relayNow(em: EntityManager, producer: Producer, row: OutboxEntry): Promise<boolean> {
  return relayManyNow(em, producer, [row]);
}

/** relayNow for many rows of one queue: one Redis round trip (addBulk), one UPDATE. Failures are left to the relay. */
export async function relayManyNow(em: EntityManager, producer: Producer, rows: OutboxEntry[]): Promise<boolean> {
  try {
    await producer.relayMany(rows);
    // Plain SQL: on the hot enqueue paths the ORM's criteria processing cost more than the statement.
    await em
      .getConnection()
      .execute('update outbox_jobs set enqueued_at = now() where id = any(?::uuid[]) and enqueued_at is null', [
        `{${rows.map((r) => r.id).join(',')}}`,
      ]);
    return true;
  } catch {
    return false;
  }
}

export interface OutboxRelay {
  stop(): Promise<void>;
}

/** Polls the outbox until stopped; drains full batches back to back, then sleeps `intervalMs`. */
export function startOutboxRelay(opts: {
  em: EntityManager;
  producer: Producer;
  log: Logger;
  intervalMs: number;
  batchSize: number;
}): OutboxRelay {
  const { em, producer, log, intervalMs, batchSize } = opts;
  let running = true;
  let wake: (() => void) | undefined;
  let lastError: string | undefined;

  const loop = (async () => {
    while (running) {
      let result: RelayResult;
      try {
        result = await relayOutboxBatch(em, producer, batchSize);
      } catch (err) {
        result = { relayed: 0, error: (err as Error).message };
      }
      if (result.error !== lastError) {
        // Log transitions only: a Redis outage is one line, not one line per poll.
        if (result.error) log.warn({ err: result.error }, 'outbox relay blocked; rows stay pending');
        else log.info('outbox relay resumed');
        lastError = result.error;
      }
      if (result.relayed > 0) log.debug({ relayed: result.relayed }, 'outbox rows relayed');
      if (result.relayed < batchSize || result.error) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, intervalMs).unref();
        });
      }
    }
  })();

  return {
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
