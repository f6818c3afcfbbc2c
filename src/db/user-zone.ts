// Which IANA zone a user's local days are counted in.
import { IANAZone } from 'luxon';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Schedule } from '../entities/schedule.entity.ts';
import { UserServiceProfile } from '../entities/user-service-profile.entity.ts';

/** The user's zone: a `timezone` service preference, else their latest active schedule's, else UTC. */
export async function userZone(em: EntityManager, userId: string): Promise<string> {
  const profiles = await em.find(UserServiceProfile, { user: userId });
  const preferred = profiles
    .map((p) => p.servicePreferences.timezone)
    .find((z): z is string => typeof z === 'string' && IANAZone.isValidZone(z));
  if (preferred) return preferred;
  const schedule = await em.findOne(Schedule, { user: userId, isActive: true }, { orderBy: { updatedAt: 'desc' } });
  return schedule && IANAZone.isValidZone(schedule.timezone) ? schedule.timezone : 'UTC';
}
