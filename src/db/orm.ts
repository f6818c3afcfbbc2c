import { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config.ts';
import { ormConfig } from './orm-config.ts';

export type Orm = MikroORM;
export type { EntityManager } from '@mikro-orm/postgresql';

export function initOrm(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_MAX'>): Promise<Orm> {
  return MikroORM.init(ormConfig(config));
}
