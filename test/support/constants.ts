// Where the tests find the machine's PostgreSQL and Redis (overridable for other machines).
export const adminDatabaseUrl = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Fixed test secrets: long enough for the config's rules, obviously not real. */
export const TEST_JWT_SECRET = 'test-jwt-secret-test-jwt-secret-0123456789';
/** The `iss` the test project's tokens carry (SUPABASE_JWT_ISSUER: the issuer is checked with an HS256 secret too). */
export const TEST_JWT_ISSUER = 'https://test-project.supabase.test/auth/v1';
export const TEST_SERVICE_KEY = 'test-service-key-0123456789abcdef';
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
