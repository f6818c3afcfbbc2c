import { auditInvariant, auditLoad, chaosEnv, sleep, stopAll, type LoadResult, type Outcome } from '../support.ts';

// 6. SIGTERM to every process during load (a deploy): each exits 0 within its grace; nothing is lost, nothing
// runs twice, and the load is accepted on both sides of the deploy (a deploy that left the API down would
// otherwise pass with nothing accepted after it). The load runs until the new processes have accepted
// MIN_ACCEPTED_EACH_SIDE requests, however long the restart takes on a busy machine.
const MIN_ACCEPTED_EACH_SIDE = 100;

export async function deploy(): Promise<Outcome> {
  const env = await chaosEnv('deploy');
  let procs = [await env.start('web'), await env.start('clock'), await env.start('worker'), await env.start('worker')];
  let port = procs[0]!.port!;
  try {
    const live: LoadResult = { accepted: [], statuses: {} };
    let acceptedByRestart: number | undefined;
    const load = auditLoad(() => port, 1_000_000, {
      out: live,
      done: () => acceptedByRestart !== undefined && live.accepted.length >= acceptedByRestart + MIN_ACCEPTED_EACH_SIDE,
    });
    const started = Date.now();
    while (live.accepted.length < MIN_ACCEPTED_EACH_SIDE && Date.now() - started < 30_000) await sleep(100);
    const acceptedBeforeStop = live.accepted.length;
    const t = performance.now();
    const codes = await stopAll(procs);
    const stopSeconds = (performance.now() - t) / 1000;
    procs = [await env.start('web'), await env.start('clock'), await env.start('worker')];
    acceptedByRestart = live.accepted.length;
    port = procs[0]!.port!;
    const result = await load;
    const acceptedAfterRestart = result.accepted.length - acceptedByRestart;
    const check = await auditInvariant(env, result);
    const grace = Number(env.childEnv.SHUTDOWN_TIMEOUT_MS) / 1000 + 2;
    return {
      ok:
        codes.every((c) => c === 0) &&
        stopSeconds < grace &&
        check.held &&
        acceptedBeforeStop >= MIN_ACCEPTED_EACH_SIDE &&
        acceptedAfterRestart >= MIN_ACCEPTED_EACH_SIDE,
      exitCodes: codes.join(','),
      stopSeconds: Math.round(stopSeconds * 10) / 10,
      acceptedBeforeStop,
      acceptedAfterRestart,
      unanswered: result.statuses[0] ?? 0,
      ...check,
    };
  } finally {
    await stopAll(procs);
    await env.dispose();
  }
}
