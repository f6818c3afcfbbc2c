import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig, type DatabaseSettings } from './orm-config.ts';

export type Orm = MikroORM;
export type { EntityManager } from '@mikro-orm/postgresql';

export function initOrm(config: DatabaseSettings): Promise<Orm> {
  return MikroORM.init(ormConfig(config));
}
