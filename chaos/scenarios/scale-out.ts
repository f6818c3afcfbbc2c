import { auditInvariant, auditLoad, chaosEnv, stopAll, type HearthProcess, type Outcome } from '../support.ts';

// Scale-out: two API processes, three workers and two clocks on one PostgreSQL and Redis; throughput adds
// up and the invariants hold (measured against one of each, same load).
export async function scaleOut(): Promise<Outcome> {
  const measure = async (webs: number, workers: number, clocks: number) => {
    const env = await chaosEnv(`scale_${webs}${workers}${clocks}`);
    const procs: HearthProcess[] = [];
    for (let i = 0; i < webs; i++) procs.push(await env.start('web'));
    for (let i = 0; i < clocks; i++) procs.push(await env.start('clock'));
    for (let i = 0; i < workers; i++) procs.push(await env.start('worker'));
    const ports = procs.filter((p) => p.role === 'web').map((p) => p.port!);
    let turn = 0;
    try {
      const t = performance.now();
      const { accepted } = await auditLoad(() => ports[turn++ % ports.length]!, 2_000, 40);
      const check = await auditInvariant(env, accepted);
      const seconds = (performance.now() - t) / 1000;
      return { perSecond: Math.round(accepted.length / seconds), ...check };
    } finally {
      await stopAll(procs);
      await env.dispose();
    }
  };
  const one = await measure(1, 1, 1);
  const many = await measure(2, 3, 2);
  return {
    ok: one.lost === 0 && many.lost === 0 && many.accepted === 2_000,
    single: `${one.perSecond}/s`, scaled: `${many.perSecond}/s (2 web, 3 workers, 2 clocks)`, lost: one.lost + many.lost, accepted: many.accepted,
  };
}
