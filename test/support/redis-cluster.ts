// A 3-node Redis Cluster of the test's own on free loopback ports (no replicas), torn down afterwards.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './redis-server.ts';

export interface OwnCluster {
  url: string;
  stop(): Promise<void>;
}

export async function startRedisCluster(): Promise<OwnCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const procs: ChildProcess[] = ports.map((port) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    ),
  );
  for (const port of ports) {
    while (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() !== 'PONG')
      await sleep(50);
  }
  const created = spawnSync(
    'redis-cli',
    ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
    { encoding: 'utf8' },
  );
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
  for (let i = 0; i < 100; i++) {
    if (
      ports.every((port) =>
        spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' }).stdout.includes(
          'cluster_state:ok',
        ),
      )
    )
      break;
    await sleep(100);
  }
  return {
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    async stop() {
      await Promise.all(
        procs.map(
          (p) =>
            new Promise((r) => {
              p.once('exit', r);
              p.kill('SIGKILL');
            }),
        ),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
