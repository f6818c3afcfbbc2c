// Marks a schedule slot's execution failed once its check-up failed for good (a reminder the provider
// refused or could not deliver, retries exhausted, an unproven destination). Only a pending or sent row
// moves: a completed (answered) or already failed one stays as it is, so a late callback changes nothing.
import type { EntityManager } from '@mikro-orm/postgresql';

/** True when the row moved to failed. */
export async function failExecution(em: EntityManager, executionId: string, reason: string): Promise<boolean> {
  const rows = await em.execute<{ id: string }[]>(
    `update schedule_executions set status = 'failed', error_message = ?
     where id = ? and status in ('pending', 'sent') returning id`,
    [reason.slice(0, 500), executionId],
  );
  return rows.length > 0;
}
