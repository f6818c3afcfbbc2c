import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../lib/logger.ts';

export interface AuthenticatedUser {
  id: string;
  sessionId: string | null;
}

/** Typed per-request variables (c.var). */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    em: EntityManager;
    user: AuthenticatedUser;
  };
}
