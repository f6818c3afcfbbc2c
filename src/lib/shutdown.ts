import type { Logger } from './logger.ts';

/**
 * Runs `stop` once on the first SIGTERM/SIGINT and exits 0 when it is done (1 if it threw).
 * A second signal exits at once: the operator asked twice. A stop still running after `deadlineMs` (a
 * query that never returns while PostgreSQL is away) exits 1 too: a process that ignores SIGTERM gets
 * SIGKILLed by its supervisor anyway, and every job it held runs again after its lock expires.
 */
export function onShutdownSignal(log: Logger, stop: () => Promise<void>, deadlineMs: number): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error({ deadlineMs }, 'shutdown did not finish in time: exiting now');
      process.exit(1);
    }, deadlineMs).unref();
    stop().then(
      () => {
        log.info('stopped cleanly');
        process.exit(0);
      },
      (err: Error) => {
        log.error({ error: { name: err.name, message: err.message } }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
