// PostgreSQL SSL as a managed database demands it: a server the test starts with `ssl = on`, a self-signed
// certificate and `hostssl` lines only. Every connection the code makes (ORM pool, migrations, database
// creation, the release lock) follows DATABASE_URL's sslmode with libpq's meanings.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { ensureDatabase } from '../../src/db/ensure-database.ts';
import { initOrm } from '../../src/db/orm.ts';
import { pgSsl } from '../../src/db/ssl.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { SslOnlyPostgres } from '../support/tls-servers.ts';

const server = new SslOnlyPostgres();
beforeAll(() => server.start(), 60_000);
afterAll(() => server.stop());

/** Connects through the ORM as every process does, and says whether this session is encrypted. */
async function sessionSsl(env: { DATABASE_URL: string; DATABASE_SSL_CA?: string; PGSSLMODE?: string }) {
  const orm = await initOrm({ ...env, DATABASE_POOL_MAX: 1 });
  try {
    const [row] = await orm.em
      .getConnection()
      .execute<{ ssl: boolean }[]>('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
    return row!.ssl;
  } finally {
    await orm.close();
  }
}

describe('sslmode', () => {
  it('disable (and no sslmode at all) is refused by an SSL-only server', async () => {
    await expect(sessionSsl({ DATABASE_URL: server.url('postgres', 'disable') })).rejects.toThrow(/no encryption/);
    await expect(sessionSsl({ DATABASE_URL: server.url('postgres') })).rejects.toThrow(/no encryption/);
  });

  it('require and no-verify encrypt without verifying the self-signed certificate', async () => {
    expect(await sessionSsl({ DATABASE_URL: server.url('postgres', 'require') })).toBe(true);
    expect(await sessionSsl({ DATABASE_URL: server.url('postgres', 'no-verify') })).toBe(true);
  });

  it('PGSSLMODE stands in when the URL names no sslmode (as for libpq)', async () => {
    expect(await sessionSsl({ DATABASE_URL: server.url('postgres'), PGSSLMODE: 'require' })).toBe(true);
  });

  it('verify-ca checks the chain against DATABASE_SSL_CA; verify-full the host name too', async () => {
    const ca = server.tls.cert;
    await expect(sessionSsl({ DATABASE_URL: server.url('postgres', 'verify-ca') })).rejects.toThrow(/self-signed/);
    expect(await sessionSsl({ DATABASE_URL: server.url('postgres', 'verify-ca'), DATABASE_SSL_CA: ca })).toBe(true);
    // The certificate names localhost, not 127.0.0.1.
    await expect(
      sessionSsl({ DATABASE_URL: server.url('postgres', 'verify-full'), DATABASE_SSL_CA: ca }),
    ).rejects.toThrow(/IP: 127.0.0.1 is not in the cert's list/);
    expect(
      await sessionSsl({ DATABASE_URL: server.url('postgres', 'verify-full', 'localhost'), DATABASE_SSL_CA: ca }),
    ).toBe(true);
  });

  it('DATABASE_SSL_CA may be a path; the config reads it, and refuses one that is not a certificate', () => {
    const path = join(tmpdir(), `hearth-ca-${process.pid}.pem`);
    writeFileSync(path, server.tls.cert);
    expect(loadConfig({ NODE_ENV: 'test', DATABASE_SSL_CA: path }).DATABASE_SSL_CA).toBe(server.tls.cert);
    expect(() => loadConfig({ NODE_ENV: 'test', DATABASE_SSL_CA: '/nonexistent/ca.pem' })).toThrow(
      /DATABASE_SSL_CA: neither PEM text nor a readable file \(ENOENT\)/,
    );
  });

  it('allow and prefer are refused at start-up by name (node-postgres cannot fall back to plaintext)', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', DATABASE_URL: server.url('hearth', 'prefer') })).toThrow(
      /DATABASE_URL: sslmode=prefer \(node-postgres cannot fall back to plaintext\)/,
    );
    expect(() => loadConfig({ NODE_ENV: 'test', PGSSLMODE: 'allow' })).toThrow(/PGSSLMODE: sslmode=allow/);
  });

  it("require with a CA verifies the chain, as libpq's does", () => {
    expect(pgSsl({ DATABASE_URL: server.url('x', 'require') })).toEqual({ rejectUnauthorized: false });
    expect(pgSsl({ DATABASE_URL: server.url('x', 'require'), DATABASE_SSL_CA: 'pem' })).toMatchObject({
      ca: 'pem',
      rejectUnauthorized: true,
    });
  });
});

describe('every connection the code makes', () => {
  it('creates the database (npm start), migrates and queries over SSL', async () => {
    const name = `hearth_ssl_${Date.now().toString(36)}`;
    const settings = { DATABASE_URL: server.url(name, 'require') };
    await ensureDatabase(settings, createLogger('silent'));
    const orm = await initOrm({ ...settings, DATABASE_POOL_MAX: 2 });
    try {
      expect((await orm.migrator.up()).length).toBeGreaterThan(0);
      const [row] = await orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from users');
      expect(Number(row!.n)).toBe(0);
    } finally {
      await orm.close();
    }
    await server.admin(`drop database "${name}" with (force)`);
  });

  it('the release (`node src/db/migrate.ts up`) needs only DATABASE_URL; two at once serialise on the lock', {
    timeout: 90_000,
  }, async () => {
    const name = `hearth_release_${Date.now().toString(36)}`;
    await server.admin(`create database "${name}"`);
    // Only what a release phase has: the URL (no secrets, NODE_ENV=production).
    const env = { PATH: process.env.PATH ?? '', NODE_ENV: 'production', DATABASE_URL: server.url(name, 'require') };
    const release = () =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const r = spawnSync(process.execPath, ['src/db/migrate.ts', 'up'], { env, encoding: 'utf8', timeout: 60_000 });
        resolve({ status: r.status, stdout: r.stdout, stderr: r.stderr });
      });
    const [a, b] = await Promise.all([release(), release()]);
    expect([a.status, b.status], `${a.stderr}${b.stderr}`).toEqual([0, 0]);
    const counts = [a, b].map((r) => JSON.parse(r.stdout.trim().split('\n').at(-1)!).count).sort();
    expect(counts[0]).toBe(0); // the second found nothing to do
    expect(counts[1]).toBeGreaterThan(0);
    await server.admin(`drop database "${name}" with (force)`);
  });

  it('a release that cannot connect prints one line and exits 1', { timeout: 60_000 }, () => {
    const r = spawnSync(process.execPath, ['src/db/migrate.ts', 'up'], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: server.url('postgres', 'disable') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^hearth: migrate up failed: .*no encryption/);
  });
});
