// PostgreSQL SSL for every connection Hearth makes (the ORM pool, migrations, database creation, the
// release lock), from DATABASE_URL's `sslmode` with libpq's meanings, so a managed database URL works as is.
// node-postgres reads `sslmode` itself with other meanings (`require` verifies the certificate there), and
// MikroORM drops the URL's query altogether: the mode is read here and handed to `pg` as its `ssl` option.
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';

/** libpq's modes node-postgres can honour, and node-postgres's `no-verify` (= libpq's `require`). */
export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full', 'no-verify'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** libpq's `allow` and `prefer` fall back to a plaintext connection; node-postgres cannot try twice. */
export const UNSUPPORTED_SSL_MODES = ['allow', 'prefer'];

/** Query parameters that configure SSL; they never reach `pg`, which would read them its own way. */
const SSL_PARAMS = ['sslmode', 'ssl', 'sslrootcert', 'sslcert', 'sslkey', 'sslpassword', 'uselibpqcompat'];

export interface DatabaseSslSettings {
  DATABASE_URL: string;
  /** PEM text of the CA that signed the server's certificate (config resolves a path to its text). */
  DATABASE_SSL_CA?: string | undefined;
  /** libpq's environment fallback when the URL names no sslmode. */
  PGSSLMODE?: string | undefined;
}

/** The mode in force: the URL's `sslmode`, else PGSSLMODE, else `disable` (node-postgres's default). */
export function sslModeOf(settings: DatabaseSslSettings): string {
  return new URL(settings.DATABASE_URL).searchParams.get('sslmode') ?? settings.PGSSLMODE ?? 'disable';
}

/**
 * `pg`'s `ssl` option. `require` encrypts without verifying, unless a CA is given: then, as in libpq,
 * it verifies the chain like `verify-ca`. `verify-ca` checks the chain only, `verify-full` the host name too;
 * without DATABASE_SSL_CA both verify against Node's bundled public CAs.
 */
export function pgSsl(settings: DatabaseSslSettings): false | ConnectionOptions {
  const mode = sslModeOf(settings) as SslMode;
  const ca = settings.DATABASE_SSL_CA;
  switch (mode) {
    case 'disable':
      return false;
    case 'no-verify':
      return { rejectUnauthorized: false };
    case 'require':
      return ca
        ? { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined }
        : { rejectUnauthorized: false };
    case 'verify-ca':
      return { ...(ca ? { ca } : {}), rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full': {
      // Against the URL's host. `pg` names no host to TLS for an IP address, and Node then checks the
      // certificate against "localhost": a certificate for localhost passed for 127.0.0.1.
      const host = new URL(settings.DATABASE_URL).hostname.replace(/^\[|\]$/g, '');
      return {
        ...(ca ? { ca } : {}),
        rejectUnauthorized: true,
        checkServerIdentity: (_servername, cert) => checkServerIdentity(host, cert),
      };
    }
    default:
      throw new Error(`sslmode=${mode}: use one of ${SSL_MODES.join(', ')}`);
  }
}

/** DATABASE_URL without its SSL parameters, for `pg` (which would otherwise apply its own reading of them). */
export function urlWithoutSslParams(url: string): string {
  const u = new URL(url);
  for (const p of SSL_PARAMS) u.searchParams.delete(p);
  return u.href;
}

/** Options for a raw `pg.Client` to the configured server, `database` instead of the URL's when given. */
export function pgClientOptions(settings: DatabaseSslSettings, database?: string) {
  const url = new URL(urlWithoutSslParams(settings.DATABASE_URL));
  if (database) url.pathname = `/${encodeURIComponent(database)}`;
  return { connectionString: url.href, ssl: pgSsl(settings) };
}
