// MikroORM settings shared by the API, the workers, the clock and the migration commands.
import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from '../entities/index.ts';
import type { DatabaseConfig } from '../config.ts';
import { guardCheckedOutClients } from './pool-guard.ts';
import { pgSsl, urlWithoutSslParams } from './ssl.ts';

export const MIGRATIONS_DIR = new URL('../../migrations', import.meta.url).pathname;

/** DATABASE_URL and the pool size; SSL from the URL's sslmode (src/db/ssl.ts). */
export type DatabaseSettings = Pick<DatabaseConfig, 'DATABASE_URL' | 'DATABASE_POOL_MAX'> &
  Partial<Pick<DatabaseConfig, 'DATABASE_SSL_CA' | 'PGSSLMODE'>>;

export function ormConfig(config: DatabaseSettings) {
  return defineConfig({
    clientUrl: urlWithoutSslParams(config.DATABASE_URL),
    // MikroORM builds the pg pool from the URL's host, port, user and database only; SSL goes in here.
    driverOptions: { ssl: pgSsl(config), onPoolCreated: guardCheckedOutClients },
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
