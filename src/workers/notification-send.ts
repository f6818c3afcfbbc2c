// One SMS or email to a user (a check-up reminder). At most once per (channel, template, ref_id): a
// system_events row keyed by them is inserted before the send; a run that finds it sends nothing. A
// failed send removes the key and throws, so the retry sends. A crash between the insert and the send
// loses that one reminder (a reminder, unlike outreach, is better missed than doubled).
// Where it goes: the schedule's own phone_number / email when set, else the account's, and only when the
// user has proven that destination (src/db/destinations.ts). A reminder that fails for good — an unproven or
// missing destination, a permanent provider refusal (not retried), the last attempt — marks its execution
// failed with the reason; a failed/undelivered SMS reported later by Twilio does the same (twilio-webhook).
import { UnrecoverableError } from 'bullmq';
import type { Payload } from '../queues/define-job.ts';
import { notificationSend } from '../queues/notification-send.ts';
import type { JobContext } from './context.ts';
import { getConfig } from '../config.ts';
import { isProvenDestination } from '../db/destinations.ts';
import { failExecution } from '../db/schedule-executions.ts';
import { ScheduleExecution } from '../entities/schedule-execution.entity.ts';
import { User } from '../entities/user.entity.ts';
import { SystemEvent } from '../entities/system-event.entity.ts';
import { checkinReminderMessage, personName } from '../domain/outreach-templates.ts';
import { describeError } from '../lib/errors.ts';
import { deterministicUuid } from '../lib/ids.ts';
import { sendersFor } from '../lib/notify/index.ts';
import { ProviderError } from '../lib/notify/types.ts';

export async function processNotificationSend(p: Payload<typeof notificationSend>, ctx: JobContext) {
  const config = getConfig();
  const execution = await ctx.em.findOne(ScheduleExecution, p.ref_id, { populate: ['schedule'] });
  const fail = async (reason: string) => {
    if (execution) await failExecution(ctx.em, execution.id, reason);
  };
  const sender = sendersFor(config)[p.channel];
  if (!sender) {
    await fail(`${p.channel} provider not configured`);
    throw new UnrecoverableError(`${p.channel} provider not configured`);
  }
  const user = await ctx.em.findOne(User, { id: p.user_id, isActive: true, deletedAt: null });
  const schedule = execution?.schedule.user.id === p.user_id ? execution.schedule : null;
  const to = p.channel === 'sms' ? (schedule?.phoneNumber ?? user?.phoneNumber) : (schedule?.email ?? user?.email);
  if (!user || !to) {
    await fail(user ? `no ${p.channel} destination` : 'the user is gone');
    return { skipped: user ? 'no_address' : 'no_user' };
  }
  if (!(await isProvenDestination(ctx.em, user, p.channel, to))) {
    await fail(`the ${p.channel} destination is not one the user has proven`);
    return { skipped: 'unproven_destination' };
  }

  const keyId = deterministicUuid(`notification:${p.channel}:${p.template}:${p.ref_id}`);
  // Claim the send atomically: of two concurrent runs, only the one whose insert lands sends.
  const claimed = await ctx.em
    .createQueryBuilder(SystemEvent)
    .insert({
      id: keyId,
      user: user.id,
      eventType: 'notification.sent',
      eventCategory: 'scheduling',
      severity: 'info',
      eventData: { channel: p.channel, template: p.template, ref_id: p.ref_id },
      createdAt: new Date(),
    })
    .onConflict('id')
    .ignore()
    .execute('run');
  if (claimed.affectedRows === 0) return { skipped: 'already_sent' };
  // Twilio reports a later failed/undelivered status for this execution to the status webhook.
  const statusCallbackUrl =
    p.channel === 'sms' && execution
      ? new URL(`/webhooks/twilio/status?execution=${execution.id}`, config.PUBLIC_BASE_URL).href
      : undefined;
  try {
    const message = { to, ...checkinReminderMessage({ userName: personName(user) }), key: keyId };
    const result = await sender.send(statusCallbackUrl ? { ...message, statusCallbackUrl } : message);
    ctx.log.info({ channel: p.channel, template: p.template, ref_id: p.ref_id }, 'notification sent');
    return { sent: true, provider_id: result.providerId };
  } catch (err) {
    await ctx.em.nativeDelete(SystemEvent, { id: keyId });
    const permanent = err instanceof ProviderError && err.permanent;
    const reason = describeError(err).message;
    if (permanent || ctx.attempt >= (notificationSend.options.attempts ?? 1)) await fail(reason);
    throw permanent ? new UnrecoverableError(reason) : err;
  }
}
