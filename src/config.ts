// The one place that reads the environment. Parsed once, validated, frozen.
import { z } from 'zod';
import { EMBEDDING_DIMENSIONS } from './domain/embedding.ts';

const csv = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean));

const intFrom = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgres://postgres@127.0.0.1:5432/hearth'),
    DATABASE_POOL_MAX: intFrom(1, 10),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
    REDIS_PREFIX: z.string().regex(/^[\w:.-]+$/, 'letters, digits, _ : . - only').default('hearth'),
    SUPABASE_URL: z.url().optional(),
    SUPABASE_JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    SUPABASE_JWT_AUDIENCE: z.string().default('authenticated'),
    SERVICE_API_KEYS: csv.pipe(z.array(z.string().min(24, 'each key at least 24 characters'))),
    ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
    WORKER_QUEUES: csv,
    WORKER_CONCURRENCY: intFrom(1, 5),
    SHUTDOWN_TIMEOUT_MS: intFrom(0, 10_000),
    WORKER_LOCK_MS: intFrom(1_000, 30_000),
    WORKER_STALLED_CHECK_MS: intFrom(500, 30_000),
    OUTBOX_POLL_MS: intFrom(10, 500),
    OUTBOX_BATCH_SIZE: intFrom(1, 100),
    EMBEDDING_DIMENSIONS: z.coerce
      .number()
      .int()
      .default(EMBEDDING_DIMENSIONS)
      .refine((n) => n === EMBEDDING_DIMENSIONS, {
        message: `must be ${EMBEDDING_DIMENSIONS}, the dimension the schema enforces; another model needs a migration`,
      }),
    // --- voice (Vapi): outbound calls and the /webhooks/vapi receiver ---
    VAPI_BASE_URL: z.url().default('https://api.vapi.ai'),
    VAPI_API_KEY: z.string().min(1).optional(),
    VAPI_PHONE_NUMBER_ID: z.string().min(1).optional(),
    VAPI_TIMEOUT_MS: intFrom(100, 10_000),
    VAPI_MAX_CALLS_PER_MINUTE: intFrom(1, 30),
    VAPI_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
    VAPI_WEBHOOK_SECRET_HEADER: z.string().regex(/^[\w-]+$/).default('x-vapi-secret').transform((h) => h.toLowerCase()),
    VAPI_WEBHOOK_HMAC_SECRET: z.string().min(16, 'at least 16 characters').optional(),
    VAPI_WEBHOOK_HMAC_ALGORITHM: z.enum(['sha256', 'sha512', 'sha1']).default('sha256'),
    VAPI_WEBHOOK_HMAC_SIGNATURE_HEADER: z.string().regex(/^[\w-]+$/).default('x-signature').transform((h) => h.toLowerCase()),
    VAPI_WEBHOOK_HMAC_TIMESTAMP_HEADER: z.string().regex(/^[\w-]+$/).default('x-timestamp').transform((h) => h.toLowerCase()),
    VAPI_WEBHOOK_HMAC_TOLERANCE_SECONDS: intFrom(1, 300),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    // Development runs on the local defaults; production must name every secret it relies on.
    if (!env.ADMIN_TOKEN) ctx.addIssue({ code: 'custom', path: ['ADMIN_TOKEN'], message: 'required in production' });
    if (!env.SUPABASE_JWT_SECRET && !env.SUPABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['SUPABASE_JWT_SECRET'], message: 'SUPABASE_JWT_SECRET or SUPABASE_URL is required in production' });
    }
  });

export type Config = Readonly<z.infer<typeof EnvSchema>>;

/** Where the local defaults stand in for secrets nobody set (development and test only). */
export const DEV_ADMIN_TOKEN = 'hearth-dev-admin-token';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses an environment; throws one ConfigError whose message names every bad variable on one line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means unset (as in `FOO= npm start`), not an invalid value.
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  return Object.freeze({ ...config, ADMIN_TOKEN: config.ADMIN_TOKEN ?? DEV_ADMIN_TOKEN });
}

let cached: Config | undefined;

/** The process's config, parsed on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

/** For process entry points: a bad environment is one clear line on stderr and exit code 1, no stack. */
export function configOrExit(): Config {
  try {
    return getConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`hearth: ${err.message}\n`);
    process.exit(1);
  }
}
