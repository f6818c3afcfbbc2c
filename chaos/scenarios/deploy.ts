import { auditInvariant, auditLoad, chaosEnv, sleep, stopAll, type Outcome } from '../support.ts';

// 6. SIGTERM to every process during load (a deploy): each exits 0 within its grace; nothing is lost.
export async function deploy(): Promise<Outcome> {
  const env = await chaosEnv('deploy');
  let procs = [await env.start('web'), await env.start('clock'), await env.start('worker'), await env.start('worker')];
  let port = procs[0]!.port!;
  try {
    const load = auditLoad(() => port, 1_500);
    await sleep(1_500);
    const t = performance.now();
    const codes = await stopAll(procs);
    const stopSeconds = (performance.now() - t) / 1000;
    procs = [await env.start('web'), await env.start('clock'), await env.start('worker')];
    port = procs[0]!.port!;
    const result = await load;
    const check = await auditInvariant(env, result);
    const grace = Number(env.childEnv.SHUTDOWN_TIMEOUT_MS) / 1000 + 2;
    return {
      ok: codes.every((c) => c === 0) && stopSeconds < grace && check.held,
      exitCodes: codes.join(','),
      stopSeconds: Math.round(stopSeconds * 10) / 10,
      unanswered: result.statuses[0] ?? 0,
      ...check,
    };
  } finally {
    await stopAll(procs);
    await env.dispose();
  }
}
