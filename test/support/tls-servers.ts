// Servers that speak only TLS, started by the tests from the machine's binaries: a PostgreSQL whose
// pg_hba.conf has `hostssl` lines only (a plaintext connection is refused), and a Redis with `--port 0`
// and a TLS port. Both use a self-signed certificate made here with openssl, as managed plans do.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from './redis-server.ts';

export interface SelfSigned {
  dir: string;
  certFile: string;
  keyFile: string;
  /** PEM of the certificate, which is its own CA. */
  cert: string;
}

/** A self-signed certificate for `localhost` only: connecting to 127.0.0.1 passes verify-ca, not verify-full. */
export function selfSignedCertificate(dir: string): SelfSigned {
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'pipe' },
  );
  return { dir, certFile, keyFile, cert: readFileSync(certFile, 'utf8') };
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not start within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const asRoot = process.getuid?.() === 0;
const postgresUser = () => {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no postgres OS user to run the server as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
};

/** PostgreSQL refuses to run as root: run its binaries as the postgres OS user then. */
const pgCommand = (bin: string, args: string[]): [string, string[]] => {
  const [version] = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  const path = `/usr/lib/postgresql/${version}/bin/${bin}`;
  return asRoot ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
};

export class SslOnlyPostgres {
  port = 0;
  tls!: SelfSigned;
  #dir = '';
  #proc: ChildProcess | undefined;

  /** postgres://postgres@host:port/database?sslmode=… (the server trusts every SSL connection). */
  url(database: string, sslmode?: string, host = '127.0.0.1') {
    return `postgres://postgres@${host}:${this.port}/${database}${sslmode ? `?sslmode=${sslmode}` : ''}`;
  }

  async start(): Promise<this> {
    this.#dir = mkdtempSync(join(tmpdir(), 'hearth-ssl-pg-'));
    this.tls = selfSignedCertificate(this.#dir);
    chmodSync(this.#dir, 0o755);
    chmodSync(this.tls.keyFile, 0o600);
    if (asRoot) {
      const { uid, gid } = postgresUser();
      chownSync(this.#dir, uid, gid);
      chownSync(this.tls.keyFile, uid, gid);
    }
    const data = join(this.#dir, 'data');
    execFileSync(...pgCommand('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']), {
      stdio: 'pipe',
    });
    writeFileSync(join(data, 'pg_hba.conf'), 'hostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n');
    this.port = await freePort();
    const [cmd, args] = pgCommand('postgres', [
      '-D',
      data,
      '-p',
      String(this.port),
      '-c',
      'listen_addresses=localhost',
      '-c',
      `unix_socket_directories=${this.#dir}`,
      '-c',
      'ssl=on',
      '-c',
      `ssl_cert_file=${this.tls.certFile}`,
      '-c',
      `ssl_key_file=${this.tls.keyFile}`,
      '-c',
      'fsync=off',
      '-c',
      'max_connections=60',
    ]);
    this.#proc = spawn(cmd, args, { stdio: 'ignore' });
    await waitUntil(async () => {
      const client = new pg.Client({ connectionString: this.url('postgres'), ssl: { rejectUnauthorized: false } });
      client.on('error', () => {});
      await client.connect();
      await client.end();
      return true;
    }, 'SSL-only PostgreSQL');
    return this;
  }

  /** Runs one statement, on the maintenance database unless told (over SSL, the only way in). */
  async admin(sql: string, database = 'postgres') {
    const client = new pg.Client({ connectionString: this.url(database), ssl: { rejectUnauthorized: false } });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    const pid = Number(readFileSync(join(this.#dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const exited = this.#proc && this.#proc.exitCode === null ? new Promise((r) => this.#proc!.once('exit', r)) : null;
    try {
      process.kill(pid, 'SIGQUIT'); // immediate shutdown: a test server holds nothing worth a checkpoint
    } catch {}
    // A postmaster that has not gone in 10 s (its children still exiting on a loaded machine) is killed.
    const gone = await Promise.race([exited?.then(() => true) ?? true, sleep(10_000).then(() => false)]);
    if (!gone) {
      for (const target of [pid, this.#proc?.pid])
        try {
          if (target) process.kill(target, 'SIGKILL');
        } catch {}
      await exited;
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

export class TlsOnlyRedis {
  port = 0;
  tls!: SelfSigned;
  #dir = '';
  #proc: ChildProcess | undefined;

  get url() {
    return `rediss://127.0.0.1:${this.port}`;
  }

  async start(extraArgs: string[] = []): Promise<this> {
    this.#dir = mkdtempSync(join(tmpdir(), 'hearth-tls-redis-'));
    this.tls = selfSignedCertificate(this.#dir);
    this.port = await freePort();
    this.#proc = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '-::1', // optional: `localhost` may resolve to either
        '--tls-cert-file',
        this.tls.certFile,
        '--tls-key-file',
        this.tls.keyFile,
        '--tls-ca-cert-file',
        this.tls.certFile,
        '--tls-auth-clients',
        'no',
        '--save',
        '',
        '--appendonly',
        'no',
        ...extraArgs,
      ],
      { stdio: 'ignore' },
    );
    await waitUntil(async () => this.cli('PING').trim() === 'PONG', 'TLS-only Redis');
    return this;
  }

  /** One redis-cli command over TLS (the server has no plaintext port). */
  cli(...args: string[]): string {
    return execFileSync('redis-cli', ['--tls', '--insecure', '-h', '127.0.0.1', '-p', String(this.port), ...args], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
  }

  async stop(): Promise<void> {
    const proc = this.#proc;
    if (proc && proc.exitCode === null) {
      await new Promise((r) => {
        proc.once('exit', r);
        proc.kill('SIGKILL');
      });
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
