import { auditInvariant, auditLoad, chaosEnv, sleep, stopAll, type Outcome } from '../support.ts';

// 1. kill -9 a worker in the middle of 1,000 jobs; restart it; the stalled jobs are recovered.
export async function kill9(): Promise<Outcome> {
  const env = await chaosEnv('kill9');
  const [web, clock] = [await env.start('web'), await env.start('clock')];
  let worker = await env.start('worker');
  try {
    const load = auditLoad(() => web.port!, 1_000);
    await sleep(1_500);
    worker.proc.kill('SIGKILL');
    await worker.exited;
    worker = await env.start('worker');
    const { accepted } = await load;
    const check = await auditInvariant(env, accepted);
    return { ok: check.lost === 0 && check.accepted === 1_000, ...check };
  } finally {
    await stopAll([web, clock, worker]);
    await env.dispose();
  }
}
