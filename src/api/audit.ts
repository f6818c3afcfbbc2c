// Audit rows for sensitive actions taken through the API: written in the request's unit of work, with
// the request id, session, IP and user agent. event_data carries names and ids only.
import type { Context } from 'hono';
import { SystemEvent } from '../entities/system-event.entity.ts';
import type { EventCategory, Severity } from '../domain/enums.ts';
import type { AppEnv } from './env.ts';
import { errorResponse, type AppError } from './errors.ts';

export function auditRequest(
  c: Context<AppEnv>,
  event: {
    type: string;
    category: EventCategory;
    severity?: Severity;
    userId?: string | null;
    data?: Record<string, unknown>;
  },
): SystemEvent {
  const ip = c.var.clientIp ?? null;
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

/**
 * A webhook whose credential failed is audited (which webhook, from where) before it is refused — sampled:
 * the first rejection per address and minute, at most 60 a minute in all (src/lib/limits.ts), so a flood of
 * unauthenticated deliveries cannot grow system_events. The rest are counted by the auth-failure limit.
 */
export async function auditRejectedWebhook(c: Context<AppEnv>, webhook: string): Promise<void> {
  const sampled = await c.var.limits.sampleRejection(c.var.clientIp ?? 'unknown').catch(() => false);
  if (!sampled) return;
  auditRequest(c, {
    type: 'webhook_signature_failed',
    category: 'auth',
    severity: 'warning',
    userId: null,
    data: { webhook },
  });
  // An audit write that fails must not turn a 401 into a 500.
  await c.var.em
    .flush()
    .catch((e: Error) => c.var.log.warn({ error: { name: e.name } }, 'could not audit a rejected webhook'));
}

export async function webhookRejected(c: Context<AppEnv>, webhook: string, err: AppError) {
  await auditRejectedWebhook(c, webhook);
  return errorResponse(c, err);
}
