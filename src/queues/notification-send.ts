// Sends one SMS or email to a user (check-up reminders, notices). The worker loads the address from
// Postgres and renders the template; the payload carries ids only.
// Enqueued by: schedule-run (sms/email reminders). Processed by: src/workers/notification-send.ts
import { z } from 'zod';
import { defaultJobOptions, defineJob } from './define-job.ts';

export const NOTIFICATION_TEMPLATES = ['checkin_reminder'] as const;

export const notificationSend = defineJob({
  name: 'notification-send',
  schema: z.object({
    user_id: z.uuid(),
    channel: z.enum(['sms', 'email']),
    template: z.enum(NOTIFICATION_TEMPLATES),
    /** What the notification is about, e.g. the schedule_executions row; also its idempotency key. */
    ref_id: z.uuid(),
  }),
  options: defaultJobOptions,
  durable: true,
});
