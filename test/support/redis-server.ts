// A Redis server of the test's own on a free port, so a test can stop it without touching the
// machine's shared Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createTestPlatform, type TestPlatform } from './platform.ts';

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

export class OwnRedis {
  port = 0;
  #proc: ChildProcess | undefined;

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port ||= await freePort();
    this.#proc = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--enable-debug-command',
        'local',
      ],
      {
        stdio: 'ignore',
      },
    );
    const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
    probe.on('error', () => {}); // refused until the server listens
    await probe.connect().catch(() => {});
    await probe.ping();
    probe.disconnect();
    return this;
  }

  async stop(): Promise<void> {
    const proc = this.#proc;
    if (!proc || proc.exitCode !== null) return;
    await new Promise((r) => {
      proc.once('exit', r);
      proc.kill('SIGKILL');
    });
  }
}

/**
 * For test files that stop and start Redis: registers hooks that start a Redis of the file's own and a
 * test platform on it, and close both afterwards.
 */
export function platformOnOwnRedis(): { redis: OwnRedis; platform: () => TestPlatform } {
  const redis = new OwnRedis();
  let platform: TestPlatform | undefined;
  beforeAll(async () => {
    await redis.start();
    platform = await createTestPlatform({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await platform?.close();
    await redis.stop();
  });
  return { redis, platform: () => platform! };
}
