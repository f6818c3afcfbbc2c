import { z } from '@hono/zod-openapi';
import { jsonObjectProblem, type JsonLimits } from '../domain/json-limits.ts';

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
      request_id: z.string(),
    }),
  })
  .openapi('Error');

export const Accepted = z.object({ job_id: z.string() }).openapi('Accepted');

/** A JSON object within `limits` (src/domain/json-limits.ts); the 400 names the field and the limit broken. */
export const boundedJsonObject = (limits: JsonLimits) =>
  z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    const problem = jsonObjectProblem(value, limits);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
