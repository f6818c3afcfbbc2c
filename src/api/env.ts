import type { EntityManager } from '@mikro-orm/postgresql';
import type { Limits } from '../lib/limits.ts';
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
    /** The caller's address (src/api/client-ip.ts); null when unknown. */
    clientIp: string | null;
    /** Quotas and rate limits (src/lib/limits.ts). */
    limits: Limits;
  };
}
