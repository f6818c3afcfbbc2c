// The one rule for every place Hearth sends to a user-given destination (reminders, calls): the address must
// be the user's Auth-verified phone or email, one they confirmed with a code (user_destinations), or — for a
// call only — the number of one of their active safety contacts.
import type { EntityManager } from '@mikro-orm/postgresql';
import { sameAddress } from '../domain/destinations.ts';
import type { DestinationChannel } from '../domain/enums.ts';
import { SafetyContact } from '../entities/safety-contact.entity.ts';
import { UserDestination } from '../entities/user-destination.entity.ts';
import type { User } from '../entities/user.entity.ts';

type Owner = Pick<User, 'id' | 'phoneNumber' | 'phoneConfirmedAt' | 'email' | 'emailConfirmedAt'>;

/** Is `address` a destination this user has proven for `channel`? */
export async function isProvenDestination(
  em: EntityManager,
  user: Owner,
  channel: DestinationChannel,
  address: string,
  opts: { allowSafetyContacts?: boolean } = {},
): Promise<boolean> {
  const authVerified =
    channel === 'sms'
      ? Boolean(user.phoneConfirmedAt && user.phoneNumber && sameAddress('sms', user.phoneNumber, address))
      : Boolean(user.emailConfirmedAt && user.email && sameAddress('email', user.email, address));
  if (authVerified) return true;
  const confirmed = await em.count(UserDestination, {
    user: user.id,
    channel,
    address: channel === 'email' ? address.trim().toLowerCase() : address,
    verifiedAt: { $ne: null },
  });
  if (confirmed > 0) return true;
  if (!opts.allowSafetyContacts || channel !== 'sms') return false;
  return (await em.count(SafetyContact, { user: user.id, isActive: true, externalPhoneNumber: address })) > 0;
}
