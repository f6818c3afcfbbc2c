// The one place that reads the environment. Parsed once, validated, frozen.
import { z } from 'zod';
import { CronExpressionParser } from 'cron-parser';
import { SSL_MODES, sslModeOf, UNSUPPORTED_SSL_MODES } from './db/ssl.ts';
import { pemOrPath } from './lib/pem.ts';

const csv = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  );

const isCron = (pattern: string) => {
  try {
    CronExpressionParser.parse(pattern);
    return true;
  } catch {
    return false;
  }
};

const intFrom = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

/** A certificate as PEM text or a file path; the config holds the PEM text. */
const pem = z
  .string()
  .transform((value, ctx) => {
    try {
      return pemOrPath(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  })
  .optional();

/** What the database needs, alone: the release step (src/db/migrate.ts) reads only these. */
const databaseFields = {
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgres://postgres@127.0.0.1:5432/hearth'),
  DATABASE_POOL_MAX: intFrom(1, 10),
  /** CA of the server's certificate for sslmode=verify-ca/verify-full (and require, as libpq does). */
  DATABASE_SSL_CA: pem,
  /** libpq's fallback when DATABASE_URL names no sslmode. */
  PGSSLMODE: z.string().optional(),
};

function checkSslMode(env: { DATABASE_URL: string; PGSSLMODE?: string | undefined }, ctx: z.RefinementCtx) {
  const mode = sslModeOf(env);
  if ((SSL_MODES as readonly string[]).includes(mode)) return;
  const why = UNSUPPORTED_SSL_MODES.includes(mode) ? ' (node-postgres cannot fall back to plaintext)' : '';
  ctx.addIssue({
    code: 'custom',
    path: [new URL(env.DATABASE_URL).searchParams.has('sslmode') ? 'DATABASE_URL' : 'PGSSLMODE'],
    message: `sslmode=${mode}${why}: use ${SSL_MODES.join(', ')}`,
  });
}

/** The local API's origin: PUBLIC_BASE_URL's default outside production. */
const LOCAL_PUBLIC_BASE_URL = 'http://127.0.0.1:3000';

/** A platform stops a process 30 s after SIGTERM: jobs' time plus the stop margin (src/main.ts) fits in it. */
export const MAX_SHUTDOWN_TIMEOUT_MS = 20_000;

/** Where the local defaults stand in for secrets nobody set (development and test only). */
export const DEV_ADMIN_TOKEN = 'hearth-dev-admin-token';
/** Signs `npm run dev:token` identities; the API accepts it in development only, with no Supabase project set. */
export const DEV_JWT_SECRET = 'hearth-dev-jwt-secret-for-local-identities-only';

/**
 * Development defaults (the public ADMIN_TOKEN, built-in link, web-call and erasure keys, the dev JWT secret,
 * a loopback-only listener) apply only when NODE_ENV says development or test, explicitly. Any other value,
 * or none, is a deployment: every secret must be set, and the known development values are refused.
 */
export const DEV_ENVIRONMENTS = ['development', 'test'] as const;
export const devDefaultsApply = (env: { NODE_ENV?: string | undefined }) =>
  (DEV_ENVIRONMENTS as readonly string[]).includes(env.NODE_ENV ?? '');

/** Built-in secrets of development and test (public: they are in this file). */
export const DEV_SECRETS = {
  SAFETY_LINK_SECRET: 'hearth-dev-safety-link-secret-0123456789',
  VAPI_WEB_CALL_SECRET: 'hearth-dev-web-call-secret-0123456789',
  ERASURE_TOMBSTONE_KEY: 'hearth-dev-erasure-tombstone-key-0123456789',
} as const;

const EnvSchema = z
  .object({
    /** development | test (local defaults); anything else, or unset, is a deployment (docs/deploy.md). */
    NODE_ENV: z.string().optional(),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** Interface the API listens on: 127.0.0.1 under the development defaults, all interfaces otherwise. */
    HOST: z.string().min(1).optional(),
    /**
     * Proxies in front of the API that append to X-Forwarded-For (a platform router: 1). 0 = the header is
     * ignored and the socket's peer is the client (rate limits and audit rows key on it).
     */
    TRUST_PROXY_HOPS: intFrom(0, 0).pipe(z.number().max(10, 'at most 10')),
    ...databaseFields,
    REDIS_URL: z
      .string()
      .regex(
        /^(rediss?:\/\/\S+|rediss?\+cluster:\/\/[\w.-]+:\d+(,[\w.-]+:\d+)*)$/,
        'redis://, rediss://, redis+cluster://host:port,host:port or rediss+cluster://…',
      )
      .default('redis://127.0.0.1:6379'),
    /** Extra CA (PEM text or a path) trusted for rediss:// besides Node's bundled public CAs. */
    REDIS_TLS_CA: pem,
    /** false accepts any certificate on rediss:// (managed plans with self-signed ones); logged at boot. */
    REDIS_TLS_REJECT_UNAUTHORIZED: z
      .enum(['true', 'false'], 'true or false')
      .default('true')
      .transform((v) => v === 'true'),
    REDIS_PREFIX: z
      .string()
      .regex(/^[\w:.{}-]+$/, 'letters, digits, _ : . - { } only')
      .default('hearth'),
    SUPABASE_URL: z.url().optional(),
    SUPABASE_JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    SUPABASE_JWT_AUDIENCE: z.string().default('authenticated'),
    /** The `iss` user tokens must carry; default SUPABASE_URL/auth/v1. Required with SUPABASE_JWT_SECRET alone. */
    SUPABASE_JWT_ISSUER: z.string().min(1).optional(),
    SERVICE_API_KEYS: csv.pipe(z.array(z.string().min(24, 'each key at least 24 characters'))),
    ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
    WORKER_QUEUES: csv,
    WORKER_CONCURRENCY: intFrom(1, 5),
    SHUTDOWN_TIMEOUT_MS: intFrom(0, 10_000).pipe(
      z
        .number()
        .max(MAX_SHUTDOWN_TIMEOUT_MS, `at most ${MAX_SHUTDOWN_TIMEOUT_MS} (a platform kills a stop after 30 s)`),
    ),
    WORKER_LOCK_MS: intFrom(1_000, 30_000),
    WORKER_STALLED_CHECK_MS: intFrom(500, 30_000),
    OUTBOX_POLL_MS: intFrom(10, 500),
    OUTBOX_BATCH_SIZE: intFrom(1, 100),
    // Metrics port for worker/clock processes (the web process serves /metrics itself); unset = none.
    // It asks for ADMIN_TOKEN as the web process's /metrics does, and listens on METRICS_HOST only.
    METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    // Privacy: days between an account deletion request and the erasure of its data (0 = at once).
    ERASURE_GRACE_DAYS: intFrom(0, 0),
    /**
     * HMAC key of erasure tombstones (erased_identities: a keyed hash of the Auth id, no PII). Never change it
     * once set: tombstones made under the old key would stop matching, and erased accounts could sync back.
     */
    ERASURE_TOMBSTONE_KEY: z.string().min(32, 'at least 32 characters').optional(),
    /** Audit rows (system_events) are deleted after this many days; rejected-credential rows after 30. */
    SYSTEM_EVENTS_RETENTION_DAYS: intFrom(1, 365),
    // --- Abuse limits (README "Limits"): per-user quotas per rolling day, per-IP limits per minute ---
    QUOTA_CALLS_PER_DAY: intFrom(1, 10),
    QUOTA_REMINDERS_PER_DAY: intFrom(1, 20),
    QUOTA_ALERTS_PER_DAY: intFrom(1, 20),
    QUOTA_EXPORTS_PER_DAY: intFrom(1, 3),
    QUOTA_DESTINATION_CODES_PER_DAY: intFrom(1, 10),
    RATE_LIMIT_WEBHOOKS_PER_MINUTE: intFrom(1, 1_200),
    RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: intFrom(1, 30),
    // --- Schedules (clock tick, validation) ---
    SCHEDULE_TICK_MS: intFrom(50, 1_000),
    SCHEDULE_BATCH_SIZE: intFrom(1, 1_000),
    SCHEDULE_CLAIMERS: intFrom(1, 3),
    SCHEDULE_MIN_INTERVAL: intFrom(1, 15),
    SCHEDULE_ENQUEUE: z.enum(['outbox', 'direct']).default('outbox'),
    // ── Safety network (issue 7): outreach policy, providers, acknowledge links ──
    /** A trigger within this many minutes of an acknowledged incident joins it (an open one always does). */
    OUTREACH_DEDUPE_MINUTES: z.coerce.number().min(0).default(30),
    /** Minutes without acknowledgement before the next contact is reached (fractions for tests). */
    OUTREACH_ESCALATE_MINUTES: z.coerce.number().positive().default(10),
    /** HMAC key of the acknowledge links sent to external contacts. */
    SAFETY_LINK_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    /** Public origin of the API: acknowledge links and the Twilio status callback URL (signed as seen by Twilio). */
    PUBLIC_BASE_URL: z.url().default(LOCAL_PUBLIC_BASE_URL),
    TWILIO_BASE_URL: z.url().default('https://api.twilio.com'),
    TWILIO_ACCOUNT_SID: z.string().optional(),
    TWILIO_AUTH_TOKEN: z.string().optional(),
    TWILIO_FROM_NUMBER: z.string().optional(),
    /** e.g. smtps://user:pass@smtp.example.com:465 */
    SMTP_URL: z.string().optional(),
    SMTP_FROM: z.string().default('Hearth <safety@hearth.invalid>'),
    /** Connecting, the greeting and each later step of an SMTP send (nodemailer waits minutes by default). */
    SMTP_TIMEOUT_MS: intFrom(100, 10_000),
    /** The Vapi assistant (voices.assistant_id) that places safety outreach calls. */
    VAPI_OUTREACH_ASSISTANT_ID: z.string().optional(),
    // --- User sync (Supabase Auth -> users, sessions) ---
    SUPABASE_SERVICE_ROLE_KEY: z.string().min(20, 'at least 20 characters').optional(),
    /** Each Supabase Auth admin call (user sync, reconcile) gives up after this long; the job retries. */
    SUPABASE_TIMEOUT_MS: intFrom(100, 10_000),
    SUPABASE_WEBHOOK_SECRET: z.string().min(24, 'at least 24 characters').optional(),
    USER_RECONCILE_CRON: z.string().default('0 * * * *').refine(isCron, 'not a cron pattern'),
    USER_RECONCILE_PAGE_SIZE: intFrom(1, 1000),
    USER_SESSION_TOUCH_SECONDS: intFrom(1, 60),
    // --- chat ingest and memory extraction (docs/chat-memory.md) ---
    CHAT_MAX_MESSAGE_CHARS: intFrom(1, 8_000),
    LLM_BASE_URL: z.url().optional(),
    LLM_API_KEY: z.string().optional(),
    LLM_CHAT_MODEL: z.string().optional(),
    LLM_EMBEDDING_MODEL: z.string().optional(),
    /** Length of LLM_EMBEDDING_MODEL's vectors (e.g. 1536); unset: whatever length its first answer has. */
    LLM_EMBEDDING_DIMENSIONS: z.coerce.number().int().min(8).max(8192).optional(),
    /** Memory embeddings when LLM_EMBEDDING_MODEL is unset: the local sentence model, or the word-hash baseline. */
    EMBEDDING_PROVIDER: z.enum(['sentence', 'hash']).default('sentence'),
    LLM_TIMEOUT_MS: intFrom(100, 15_000),
    MEMORY_WEIGHT_RELEVANCE: z.coerce.number().min(0).max(1).default(0.5),
    MEMORY_WEIGHT_STABILITY: z.coerce.number().min(0).max(1).default(0.3),
    MEMORY_WEIGHT_EXPLICITNESS: z.coerce.number().min(0).max(1).default(0.2),
    MEMORY_RECENCY_HALF_LIFE_DAYS: z.coerce.number().positive().default(30),
    // --- voice (Vapi): outbound calls and the /webhooks/vapi receiver ---
    VAPI_BASE_URL: z.url().default('https://api.vapi.ai'),
    VAPI_API_KEY: z.string().min(1).optional(),
    VAPI_PHONE_NUMBER_ID: z.string().min(1).optional(),
    VAPI_TIMEOUT_MS: intFrom(100, 10_000),
    VAPI_MAX_CALLS_PER_MINUTE: intFrom(1, 30),
    VAPI_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
    VAPI_WEBHOOK_SECRET_HEADER: z
      .string()
      .regex(/^[\w-]+$/)
      .default('x-vapi-secret')
      .transform((h) => h.toLowerCase()),
    VAPI_WEBHOOK_HMAC_SECRET: z.string().min(16, 'at least 16 characters').optional(),
    VAPI_WEBHOOK_HMAC_ALGORITHM: z.enum(['sha256', 'sha512', 'sha1']).default('sha256'),
    VAPI_WEBHOOK_HMAC_SIGNATURE_HEADER: z
      .string()
      .regex(/^[\w-]+$/)
      .default('x-signature')
      .transform((h) => h.toLowerCase()),
    VAPI_WEBHOOK_HMAC_TIMESTAMP_HEADER: z
      .string()
      .regex(/^[\w-]+$/)
      .default('x-timestamp')
      .transform((h) => h.toLowerCase()),
    VAPI_WEBHOOK_HMAC_TOLERANCE_SECONDS: intFrom(1, 300),
    // --- calls Hearth did not place (docs/voice.md): inbound phone calls and in-app web calls ---
    VAPI_INBOUND_DEFAULT_ASSISTANT_ID: z.string().min(1).optional(),
    VAPI_INBOUND_UNKNOWN_CALLER_MESSAGE: z
      .string()
      .min(1)
      .max(500)
      .default('Sorry, this number is not registered with Hearth. Please call from the phone number on your account.'),
    VAPI_PUBLIC_KEY: z.string().min(1).optional(),
    /** HMAC key of the web-call tokens (src/domain/web-call-token.ts). */
    VAPI_WEB_CALL_SECRET: z.string().min(24, 'at least 24 characters').optional(),
    VAPI_WEB_CALL_TOKEN_SECONDS: intFrom(30, 600),
  })
  .superRefine((env, ctx) => {
    if ((env.LLM_CHAT_MODEL || env.LLM_EMBEDDING_MODEL) && !env.LLM_BASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['LLM_BASE_URL'],
        message: 'required when LLM_CHAT_MODEL or LLM_EMBEDDING_MODEL is set',
      });
    }
    if (env.MEMORY_WEIGHT_RELEVANCE + env.MEMORY_WEIGHT_STABILITY + env.MEMORY_WEIGHT_EXPLICITNESS === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['MEMORY_WEIGHT_RELEVANCE'],
        message: 'the three memory weights must not all be 0',
      });
    }
    checkSslMode(env, ctx);
    if (/^rediss?\+cluster:\/\//.test(env.REDIS_URL) && !/\{[^}]+\}/.test(env.REDIS_PREFIX)) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_PREFIX'],
        message: 'needs a hash tag on a Redis Cluster, e.g. {hearth}, so each queue stays in one slot',
      });
    }
    // Acknowledge links and Twilio's signed callback URL must point at the deployed API, never at localhost.
    if (devDefaultsApply(env)) return;
    const deployment = `required unless NODE_ENV=development or test (NODE_ENV is ${env.NODE_ENV ? `'${env.NODE_ENV}'` : 'unset'})`;
    if (env.PUBLIC_BASE_URL === LOCAL_PUBLIC_BASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['PUBLIC_BASE_URL'], message: deployment });
    }
    // A deployment must name every secret it relies on, and none may be a development value (they are public).
    const secret = (name: 'ADMIN_TOKEN' | keyof typeof DEV_SECRETS, value: string | undefined) => {
      if (!value) ctx.addIssue({ code: 'custom', path: [name], message: deployment });
      else if (value === DEV_ADMIN_TOKEN || value.startsWith('hearth-dev-'))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'is a public development value: set a secret of your own',
        });
    };
    secret('ADMIN_TOKEN', env.ADMIN_TOKEN);
    secret('SAFETY_LINK_SECRET', env.SAFETY_LINK_SECRET);
    secret('VAPI_WEB_CALL_SECRET', env.VAPI_WEB_CALL_SECRET);
    secret('ERASURE_TOMBSTONE_KEY', env.ERASURE_TOMBSTONE_KEY);
    if (env.SUPABASE_JWT_SECRET === DEV_JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SUPABASE_JWT_SECRET'], message: 'is the public development secret' });
    }
    if (!env.SUPABASE_JWT_SECRET && !env.SUPABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['SUPABASE_JWT_SECRET'],
        message: `SUPABASE_JWT_SECRET or SUPABASE_URL ${deployment}`,
      });
    }
    if (env.SUPABASE_JWT_SECRET && !env.SUPABASE_URL && !env.SUPABASE_JWT_ISSUER) {
      ctx.addIssue({
        code: 'custom',
        path: ['SUPABASE_JWT_ISSUER'],
        message:
          "required with SUPABASE_JWT_SECRET alone (the tokens' iss, e.g. https://<project>.supabase.co/auth/v1)",
      });
    }
  });

/** The parsed environment with the development defaults filled in (development and test only). */
type ParsedEnv = z.infer<typeof EnvSchema>;
type Resolved = Omit<ParsedEnv, 'ADMIN_TOKEN' | keyof typeof DEV_SECRETS | 'HOST'> & {
  ADMIN_TOKEN: string;
  SAFETY_LINK_SECRET: string;
  VAPI_WEB_CALL_SECRET: string;
  ERASURE_TOMBSTONE_KEY: string;
  HOST: string;
};

export type Config = Readonly<Resolved>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const DatabaseEnvSchema = z.object(databaseFields).superRefine(checkSslMode);
export type DatabaseConfig = Readonly<z.infer<typeof DatabaseEnvSchema>>;

/** Throws one ConfigError whose message names every bad variable on one line. */
function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  // An empty variable means unset (as in `FOO= npm start`), not an invalid value.
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Parses an environment; throws one ConfigError whose message names every bad variable on one line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = parseEnv(EnvSchema, env);
  // Reached with a secret unset only under the development defaults (the schema refuses it otherwise).
  const dev = devDefaultsApply(config);
  return Object.freeze({
    ...config,
    ADMIN_TOKEN: config.ADMIN_TOKEN ?? DEV_ADMIN_TOKEN,
    SAFETY_LINK_SECRET: config.SAFETY_LINK_SECRET ?? DEV_SECRETS.SAFETY_LINK_SECRET,
    VAPI_WEB_CALL_SECRET: config.VAPI_WEB_CALL_SECRET ?? DEV_SECRETS.VAPI_WEB_CALL_SECRET,
    ERASURE_TOMBSTONE_KEY: config.ERASURE_TOMBSTONE_KEY ?? DEV_SECRETS.ERASURE_TOMBSTONE_KEY,
    HOST: config.HOST ?? (dev ? '127.0.0.1' : '0.0.0.0'),
  });
}

let cached: Config | undefined;

/** The process's config, parsed on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

/** For process entry points: a bad environment is one clear line on stderr and exit code 1, no stack. */
export function configOrExit(): Config {
  return orExit(getConfig);
}

/** The database settings alone: what the release step needs (DATABASE_URL and its SSL settings). */
export function databaseConfigOrExit(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  return orExit(() => Object.freeze(parseEnv(DatabaseEnvSchema, env)));
}

function orExit<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`hearth: ${err.message}\n`);
    process.exit(1);
  }
}
