// Response tracking for scheduled check-ups. The chat code calls this when the user writes in a check-in
// conversation, the voice code when a scheduled call is answered and again when it ends. The execution is
// found through what schedule-run recorded in execution_metadata (conversation_id / voice_call_id).
import type { EntityManager } from '@mikro-orm/postgresql';
import { minutesBetween } from '../domain/checkin.ts';
import { ScheduleExecution } from '../entities/schedule-execution.entity.ts';

export interface CheckinResponse {
  conversationId?: string;
  voiceCallId?: string;
  /** When the caller knows the execution (a scheduled call carries it), no lookup by metadata is needed. */
  executionId?: string;
  /** When the user answered (first message, call answered). */
  at: Date;
  /** When the session ended, if it has: sets session_duration_minutes (first answer → end). */
  endedAt?: Date;
}

export type ResponseOutcome = 'recorded' | 'already_recorded' | 'not_a_checkin';

/**
 * Marks the execution answered: user_responded, response_time_minutes (slot → first answer) and status
 * completed. Idempotent: a second call keeps the first answer's time; `endedAt` may come later and sets
 * session_duration_minutes (first answer → end).
 */
export async function recordCheckinResponse(em: EntityManager, r: CheckinResponse): Promise<ResponseOutcome> {
  // The key is a literal, not a parameter, so the expression indexes on these two keys apply.
  const [key, value] = r.conversationId
    ? (['conversation_id', r.conversationId] as const)
    : (['voice_call_id', r.voiceCallId] as const);
  if (!value && !r.executionId)
    throw new Error('recordCheckinResponse needs a conversationId, a voiceCallId or an executionId');
  return em.fork().transactional(async (tx) => {
    const [row] = r.executionId
      ? await tx.execute<{ id: string }[]>(`select id from schedule_executions where id = ? for update`, [
          r.executionId,
        ])
      : await tx.execute<{ id: string }[]>(
          `select id from schedule_executions where (execution_metadata ->> '${key}') = ? limit 1 for update`,
          [value],
        );
    if (!row) return 'not_a_checkin';
    const execution = await tx.findOneOrFail(ScheduleExecution, row.id);
    const firstAnswer = !execution.userResponded;
    if (firstAnswer) {
      execution.userResponded = true;
      execution.responseTimeMinutes = minutesBetween(execution.executedAt, r.at);
      execution.status = 'completed';
      execution.executionMetadata = { ...execution.executionMetadata, responded_at: r.at.toISOString() };
    }
    if (r.endedAt) {
      const answeredAt = new Date(String(execution.executionMetadata.responded_at ?? r.at.toISOString()));
      execution.sessionDurationMinutes = minutesBetween(answeredAt, r.endedAt);
    }
    return firstAnswer ? 'recorded' : 'already_recorded';
  });
}
