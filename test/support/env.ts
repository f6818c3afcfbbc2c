// Runs before every test file: points the config at this run's database and Redis prefix.
import { inject } from 'vitest';
import { TEST_ADMIN_TOKEN, TEST_JWT_ISSUER, TEST_JWT_SECRET, TEST_REDIS_URL, TEST_SERVICE_KEY } from './constants.ts';

Object.assign(process.env, {
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  DATABASE_URL: inject('databaseUrl'),
  REDIS_URL: TEST_REDIS_URL,
  REDIS_PREFIX: inject('redisPrefix'),
  SUPABASE_JWT_SECRET: TEST_JWT_SECRET,
  SUPABASE_JWT_ISSUER: TEST_JWT_ISSUER,
  SERVICE_API_KEYS: TEST_SERVICE_KEY,
  ADMIN_TOKEN: TEST_ADMIN_TOKEN,
});
