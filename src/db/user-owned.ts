// Which tables hold a user's rows, read from the ORM metadata (never a hand list, so a new table is
// covered the day it is added): every entity with a to-one relation to User.
import type { EntityMetadata, EntityProperty, MetadataStorage } from '@mikro-orm/core';
import { UserSchema } from '../entities/user.entity.ts';

export interface UserLink {
  meta: EntityMetadata;
  /** The relation property pointing at users. */
  property: string;
  /** Its column. */
  column: string;
  /** What deleting the user does to these rows (from the FK). */
  deleteRule: string;
}

// Compared by name: class identity differs when modules are loaded twice (test runners).
const USER = UserSchema.meta.className;

/** Every to-one relation to users; pass `orm.getMetadata()` or `em.getMetadata()`. */
export function userLinks(metadata: MetadataStorage): UserLink[] {
  const links: UserLink[] = [];
  for (const meta of metadata.getAll().values()) {
    if (meta.abstract || meta.className === USER) continue;
    for (const prop of Object.values(meta.properties) as EntityProperty[]) {
      if ((prop.kind === 'm:1' || (prop.kind === '1:1' && prop.owner)) && prop.targetMeta?.className === USER) {
        links.push({
          meta,
          property: prop.name,
          column: prop.fieldNames[0]!,
          deleteRule: String(prop.deleteRule ?? 'no action'),
        });
      }
    }
  }
  return links;
}

/** The links along which rows belong to the user: an entity's owning link (cascade), or its only link. */
export function ownedLinks(metadata: MetadataStorage): UserLink[] {
  const links = userLinks(metadata);
  return links.filter((l) => {
    const siblings = links.filter((s) => s.meta === l.meta);
    return siblings.length === 1 || l.deleteRule === 'cascade';
  });
}
