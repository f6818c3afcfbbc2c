// One SMS or email to a user (a check-up reminder). At most once per (channel, template, ref_id): a
// system_events row keyed by them is inserted before the send; a run that finds it sends nothing. A
// failed send removes the key and throws, so the retry sends. A crash between the insert and the send
// loses that one reminder (a reminder, unlike outreach, is better missed than doubled).
import { UnrecoverableError } from 'bullmq';
import type { Payload } from '../queues/define-job.ts';
import type { notificationSend } from '../queues/notification-send.ts';
import type { JobContext } from './context.ts';
import { getConfig } from '../config.ts';
import { User } from '../entities/user.entity.ts';
import { SystemEvent } from '../entities/system-event.entity.ts';
import { checkinReminderMessage, personName } from '../domain/outreach-templates.ts';
import { deterministicUuid } from '../lib/ids.ts';
import { sendersFor } from '../lib/notify/index.ts';

export async function processNotificationSend(p: Payload<typeof notificationSend>, ctx: JobContext) {
  const sender = sendersFor(getConfig())[p.channel];
  if (!sender) throw new UnrecoverableError(`${p.channel} provider not configured`);
  const user = await ctx.em.findOne(User, { id: p.user_id, isActive: true, deletedAt: null });
  const to = p.channel === 'sms' ? user?.phoneNumber : user?.email;
  if (!user || !to) return { skipped: user ? 'no_address' : 'no_user' };

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
  try {
    const result = await sender.send({ to, ...checkinReminderMessage({ userName: personName(user) }), key: keyId });
    ctx.log.info({ channel: p.channel, template: p.template, ref_id: p.ref_id }, 'notification sent');
    return { sent: true, provider_id: result.providerId };
  } catch (err) {
    await ctx.em.nativeDelete(SystemEvent, { id: keyId });
    throw err;
  }
}
