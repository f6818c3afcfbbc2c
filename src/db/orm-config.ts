// MikroORM settings shared by the API, the workers, the clock and the migration commands.
import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from '../entities/index.ts';
import type { Config } from '../config.ts';

const MIGRATIONS_DIR = new URL('../../migrations', import.meta.url).pathname;

export function ormConfig(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_MAX'>) {
  return defineConfig({
    clientUrl: config.DATABASE_URL,
    entities,
    extensions: [Migrator],
    // We always run the TypeScript sources (Node strips the types), so migrations are .ts files too.
    preferTs: true,
    pool: { min: 0, max: config.DATABASE_POOL_MAX },
    forceUtcTimezone: true,
    debug: false,
    allowGlobalContext: false,
    migrations: {
      path: MIGRATIONS_DIR,
      pathTs: MIGRATIONS_DIR,
      glob: '!(*.d).ts',
      emit: 'ts',
      snapshot: false,
      // The migrate command logs what it applied as JSON; the ORM's coloured lines would be noise.
      silent: true,
      transactional: true,
      allOrNothing: true,
    },
  });
}
