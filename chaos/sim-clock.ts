// Preloaded into the `clocks` scenario's clock processes (NODE_OPTIONS=--import): their Date runs
// CHAOS_SIM_SPEED× fast until it meets real time at CHAOS_SIM_END_MS, then stands still there. Minutes
// of schedule time pass in seconds without any production knob (the clock reads `new Date()`, nothing
// else), and once it stands still the clocks keep relaying while no further slot comes due, so the end
// state is exact. Every process computes it from the same two numbers and the machine's clock, so all
// clocks agree, and simulated time never runs ahead of real time (workers never see a future slot).
const end = Number(process.env.CHAOS_SIM_END_MS);
const speed = Number(process.env.CHAOS_SIM_SPEED);
if (!Number.isFinite(end) || !(speed >= 1))
  throw new Error('sim-clock: CHAOS_SIM_END_MS and CHAOS_SIM_SPEED (>= 1) are required');

const RealDate = Date;
const simNow = () => {
  const t = RealDate.now();
  return t >= end ? end : end - (end - t) * speed;
};

class SimDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(simNow());
    else super(...(args as [string | number | Date]));
  }

  static override now() {
    return simNow();
  }
}

globalThis.Date = SimDate as DateConstructor;
