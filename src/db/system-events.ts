// Inserts a system_events row idempotently: the id is derived from a key, and a second insert of the
// same key is ignored. Shared by the workers (audit events, final failures), the safety flow and the clock,
// so it lives below all of them.
import type { EntityManager } from '@mikro-orm/postgresql';
import { SystemEvent } from '../entities/system-event.entity.ts';
import type { EventCategory, Severity } from '../domain/enums.ts';
import { deterministicUuid } from '../lib/ids.ts';

export interface SystemEventInput {
  userId: string | null;
  eventType: string;
  eventCategory: EventCategory;
  severity: Severity;
  eventData: Record<string, unknown>;
  sessionId?: string | null;
  ipAddress?: string | null;
  userAgent?: string | null;
}

export async function recordSystemEvent(em: EntityManager, key: string, event: SystemEventInput): Promise<string> {
  const id = deterministicUuid(key);
  const { userId, ...columns } = event;
  await em
    .createQueryBuilder(SystemEvent)
    .insert({ id, ...columns, user: userId, createdAt: new Date() })
    .onConflict('id')
    .ignore()
    .execute();
  return id;
}
