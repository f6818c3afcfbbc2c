import { Migration } from '@mikro-orm/migrations';

// Issue 16: erasure tombstones (a keyed hash of the Auth id, no PII, no FK) that stop an erased account from
// being synced back; an index for the retention of system_events by age.
export class Migration20261210090000_erasure_tombstones extends Migration {
  override name = 'Migration20261210090000_erasure_tombstones';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "erased_identities" ("identity_hash" text not null, "erased_at" timestamptz not null default now(), primary key ("identity_hash"));`,
    );
    this.addSql(`create index "system_events_created_idx" on "system_events" ("created_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "erased_identities" cascade;`);
    this.addSql(`drop index "system_events_created_idx";`);
  }
}
