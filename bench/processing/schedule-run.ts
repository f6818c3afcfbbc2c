// schedule-run jobs the way the clock makes them: due user schedules, fired by one schedules tick (outbox
// mode, as deployed). Reminders cycle in_app, in_app, sms, email, voice: every check-up path runs
// (conversation + first message; a notification-send or vapi-call follow-up job, not drained here).
import { randomUUID } from 'node:crypto';
import { tickSchedules } from '../../src/clock/schedules-tick.ts';
import type { ReminderMethod } from '../../src/domain/enums.ts';
import { Schedule } from '../../src/entities/schedule.entity.ts';
import { User } from '../../src/entities/user.entity.ts';
import { Voice } from '../../src/entities/voice.entity.ts';
import { scheduleRun } from '../../src/queues/schedule-run.ts';
import { expectCount, type Scenario } from './scenario.ts';

const REMINDERS: readonly ReminderMethod[] = ['in_app', 'in_app', 'sms', 'email', 'voice'];
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC'];

export const scheduleRunScenario: Scenario = {
  job: scheduleRun,
  describe: `clock tick over due schedules (${REMINDERS.join(', ')})`,
  async produce({ orm, producer, log, config }, n) {
    const em = orm.em.fork();
    const voice = em.create(Voice, { name: 'Bench', assistantId: `asst_bench_${randomUUID().slice(0, 8)}` });
    const due = new Date(Date.now() - 60_000);
    const methods = Array.from({ length: n }, (_, i) => REMINDERS[i % REMINDERS.length]!);
    const schedules = methods.map((method, i) => {
      const id = randomUUID();
      const user = em.create(User, {
        id,
        email: `bench-${id}@example.test`,
        phoneNumber: `+1555555${String(i % 10_000).padStart(4, '0')}`,
        // Reminders and calls go only to proven destinations: Auth verified these.
        phoneConfirmedAt: due,
        emailConfirmedAt: due,
      });
      return em.create(Schedule, {
        user,
        name: 'Evening check-in',
        scheduleType: method === 'voice' ? 'voice' : 'chat',
        cronExpression: '0 20 * * *',
        timezone: ZONES[i % ZONES.length]!,
        nextRunAt: due,
        reminderMethod: method,
        contextSummary: 'sleep and the new job',
        ...(method === 'voice' ? { assistantId: voice.assistantId } : {}),
      });
    });
    await em.flush();
    const tick = await tickSchedules({
      em: orm.em,
      producer,
      log,
      batchSize: config.SCHEDULE_BATCH_SIZE,
      claimers: config.SCHEDULE_CLAIMERS,
      enqueue: config.SCHEDULE_ENQUEUE,
    });
    if (tick.claimed !== n) throw new Error(`the tick claimed ${tick.claimed} schedules, expected ${n}`);
    const ids = schedules.map((s) => s.id);
    const count = (method: ReminderMethod | ReminderMethod[]) =>
      methods.filter((m) => [method].flat().includes(m)).length;
    return {
      jobs: n,
      async verify(vem) {
        // Each slot: one execution row, sent, pointing at exactly the check-up its reminder method starts.
        const [row] = await vem.execute<
          {
            executions: number;
            slots: number;
            sent: number;
            conversations: number;
            notifications: number;
            calls: number;
          }[]
        >(
          `select count(*)::int as executions, count(distinct e.schedule_id)::int as slots,
                  count(*) filter (where e.status = 'sent')::int as sent, count(c.id)::int as conversations,
                  count(o.id)::int as notifications, count(v.id)::int as calls
           from schedule_executions e
           left join conversations c on c.id = (e.execution_metadata ->> 'conversation_id')::uuid
           left join outbox_jobs o on o.id = (e.execution_metadata ->> 'notification_job_id')::uuid
           left join voice_calls v on v.id = (e.execution_metadata ->> 'voice_call_id')::uuid
           where e.schedule_id = any(?::uuid[])`,
          [`{${ids.join(',')}}`],
        );
        return [
          ...expectCount('execution rows', row!.executions, n),
          ...expectCount('slots with an execution row', row!.slots, n),
          ...expectCount('executions sent', row!.sent, n),
          ...expectCount('check-in conversations (in_app)', row!.conversations, count('in_app')),
          ...expectCount('notification-send jobs (sms, email)', row!.notifications, count(['sms', 'email'])),
          ...expectCount('voice_calls rows (voice)', row!.calls, count('voice')),
        ];
      },
    };
  },
};
