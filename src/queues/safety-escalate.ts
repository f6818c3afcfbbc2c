// Runs one step of an incident's outreach plan (one contact, one method), or closes the incident as
// exhausted when the step is past the end of the plan. Job id = `${incident_id}:${step}` (plus a cause
// suffix for a re-run after an undelivered SMS): each step is enqueued once, and a duplicate run is a
// no-op because the attempt is keyed by (incident, step) in contact_logs.
// Enqueued by: safety incidents (step 0), this processor (the next step, delayed for escalation), the
// Twilio status webhook (after an undelivered SMS). Processed by: src/workers/safety-escalate.ts
import { z } from 'zod';
import { defineJob } from './define-job.ts';
import { safetyOutreach } from './safety-outreach.ts';

export const safetyEscalate = defineJob({
  name: 'safety-escalate',
  schema: z.object({
    incident_id: z.uuid(),
    /** Index into safety_incidents.plan; plan.length = exhausted. */
    step: z.number().int().min(0),
  }),
  options: safetyOutreach.options,
  durable: true,
});
