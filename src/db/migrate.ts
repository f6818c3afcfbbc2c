// Migration commands: `up` (the Procfile release line), `down [--all]`, `create` (from the entities), `check`.
// They read only the database settings (DATABASE_URL, its SSL settings), so a release phase needs nothing
// else; `up` and `down` hold the migrations lock (concurrent releases wait for each other); a failure is
// one line on stderr and exit code 1.
import { databaseConfigOrExit } from '../config.ts';
import { initOrm, type Orm } from './orm.ts';
import { withMigrationsLock } from './release-lock.ts';

const [command = 'up', ...args] = process.argv.slice(2);
const config = databaseConfigOrExit();
const log = (msg: string, fields: Record<string, unknown> = {}) => console.log(JSON.stringify({ msg, ...fields }));

async function run(orm: Orm) {
  const migrator = orm.migrator;
  const waiting = () => log('another release holds the migrations lock: waiting for it');
  if (command === 'up') {
    const done = await withMigrationsLock(config, () => migrator.up(), waiting);
    log('migrations applied', { count: done.length, names: done.map((m) => m.name) });
  } else if (command === 'down') {
    const done = await withMigrationsLock(
      config,
      () => migrator.down(args.includes('--all') ? { to: 0 } : undefined),
      waiting,
    );
    log('migrations reverted', { count: done.length });
  } else if (command === 'create') {
    const result = await migrator.create(undefined, false, false, args[0]);
    console.log(result.fileName ? `created ${result.fileName}` : 'no changes: the schema matches the entities');
  } else if (command === 'check') {
    const drift = await migrator.checkSchema();
    console.log(drift ? 'drift: the entities differ from the migrated schema; run `npm run db:create`' : 'no drift');
    process.exitCode = drift ? 1 : 0;
  } else {
    console.error(`unknown command ${command}: use up | down [--all] | create [name] | check`);
    process.exitCode = 2;
  }
}

try {
  const orm = await initOrm({ ...config, DATABASE_POOL_MAX: 2 });
  try {
    await run(orm);
  } finally {
    await orm.close();
  }
} catch (err) {
  const message = ((err as Error).message || String(err)).split('\n')[0];
  process.stderr.write(`hearth: migrate ${command} failed: ${message}\n`);
  process.exitCode = 1;
}
