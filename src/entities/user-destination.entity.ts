// A phone number or email address a user has asked Hearth to send to (a schedule's own destination), and
// whether they proved it is theirs with a one-time code. The code is stored as a hash, never in clear.
import { defineEntity, p } from '@mikro-orm/core';
import { DESTINATION_CHANNELS } from '../domain/enums.ts';
import { createdAt, generatedId, nonNegativeInt, updatedAt } from './base.entity.ts';
import { User } from './user.entity.ts';

export const UserDestinationSchema = defineEntity({
  name: 'UserDestination',
  tableName: 'user_destinations',
  uniques: [{ name: 'user_destinations_user_address_unique', properties: ['user', 'channel', 'address'] }],
  checks: [
    { name: 'user_destinations_code_pair_check', expression: '(code_hash is null) = (code_expires_at is null)' },
  ],
  properties: {
    id: generatedId(),
    user: p.manyToOne(User).deleteRule('cascade'),
    channel: p.enum(DESTINATION_CHANNELS),
    /** E.164 number (sms) or lower-cased email address. */
    address: p.text(),
    /** sha256 hex of the pending code (keyed by the row id); null once confirmed. */
    codeHash: p.text().nullable(),
    codeExpiresAt: p.datetime().nullable(),
    /** Wrong codes entered against the pending code; the code is void at the limit. */
    failedAttempts: nonNegativeInt('failed_attempts').default(0),
    verifiedAt: p.datetime().nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export class UserDestination extends UserDestinationSchema.class {}
UserDestinationSchema.setClass(UserDestination);
