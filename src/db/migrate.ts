// Migration commands: `up` (the Procfile release line), `down [--to 0]`, `create` (from the entities), `check`.
import { configOrExit } from '../config.ts';
import { initOrm } from './orm.ts';

const [command = 'up', ...args] = process.argv.slice(2);
const orm = await initOrm(configOrExit());
try {
  const migrator = orm.migrator;
  if (command === 'up') {
    const done = await migrator.up();
    console.log(JSON.stringify({ msg: 'migrations applied', count: done.length, names: done.map((m) => m.name) }));
  } else if (command === 'down') {
    const done = await migrator.down(args.includes('--all') ? { to: 0 } : undefined);
    console.log(JSON.stringify({ msg: 'migrations reverted', count: done.length }));
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
} finally {
  await orm.close();
}
