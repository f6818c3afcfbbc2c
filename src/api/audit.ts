// Audit rows for sensitive actions taken through the API: written in the request's unit of work, with
// the request id, session, IP and user agent. event_data carries names and ids only.
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { SystemEvent } from '../entities/system-event.entity.ts';
import type { EventCategory, Severity } from '../domain/enums.ts';
import type { AppEnv } from './env.ts';

export function auditRequest(
  c: Context<AppEnv>,
  event: { type: string; category: EventCategory; severity?: Severity; userId?: string | null; data?: Record<string, unknown> },
): SystemEvent {
  let ip: string | null = null;
  try {
    ip = getConnInfo(c).remote.address ?? null;
  } catch {
    ip = null; // app.request() in tests has no socket
  }
  const user = event.userId === undefined ? (c.get('user')?.id ?? null) : event.userId;
  return c.var.em.create(SystemEvent, {
    user,
    eventType: event.type,
    eventCategory: event.category,
    severity: event.severity ?? 'info',
    eventData: { ...event.data, request_id: c.var.requestId },
    sessionId: c.get('user')?.sessionId ?? null,
    ipAddress: ip,
    userAgent: c.req.header('user-agent')?.slice(0, 300) ?? null,
  });
}
