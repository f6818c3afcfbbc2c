// A 3-node Redis Cluster of the test's own on free loopback ports (no replicas), torn down afterwards;
// with `tls`, every node speaks TLS only (clients and the cluster bus) with that certificate.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './redis-server.ts';
import type { SelfSigned } from './tls-servers.ts';

export interface OwnCluster {
  url: string;
  stop(): Promise<void>;
}

export async function startRedisCluster({ tls }: { tls?: SelfSigned } = {}): Promise<OwnCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const tlsArgs = (port: number) =>
    tls
      ? ['--port', '0', '--tls-port', String(port), '--tls-cluster', 'yes', '--tls-auth-clients', 'no'].concat([
          '--tls-cert-file',
          tls.certFile,
          '--tls-key-file',
          tls.keyFile,
          '--tls-ca-cert-file',
          tls.certFile,
        ])
      : ['--port', String(port)];
  const cli = (...args: string[]) =>
    spawnSync('redis-cli', [...(tls ? ['--tls', '--insecure'] : []), ...args], { encoding: 'utf8' });
  const procs: ChildProcess[] = ports.map((port) =>
    spawn(
      'redis-server',
      [
        ...tlsArgs(port),
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
    while (cli('-p', String(port), 'ping').stdout.trim() !== 'PONG') await sleep(50);
  }
  const created = cli(
    '--cluster',
    'create',
    ...ports.map((p) => `127.0.0.1:${p}`),
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  );
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
  for (let i = 0; i < 100; i++) {
    if (ports.every((port) => cli('-p', String(port), 'cluster', 'info').stdout.includes('cluster_state:ok'))) break;
    await sleep(100);
  }
  return {
    url: `${tls ? 'rediss' : 'redis'}+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
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
