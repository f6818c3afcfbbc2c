// Builds a JSON export of every row a user owns. Enqueued by: POST /v1/me/export (durable, jobKey =
// export id). Processed by: src/workers/user-export.ts
import { z } from 'zod';
import { defaultJobOptions, defineJob } from './define-job.ts';

export const userExport = defineJob({
  name: 'user-export',
  schema: z.object({ export_id: z.uuid() }),
  options: defaultJobOptions,
  durable: true,
});
