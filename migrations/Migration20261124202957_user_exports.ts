import { Migration } from '@mikro-orm/migrations';

export class Migration20261124202957_user_exports extends Migration {
  override name = 'Migration20261124202957_user_exports';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "user_exports" ("id" uuid not null default gen_random_uuid(), "user_id" uuid not null, "status" text not null default 'pending', "data" jsonb null, "created_at" timestamptz not null default now(), "ready_at" timestamptz null, "expires_at" timestamptz not null, "downloaded_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "user_exports_user_idx" on "user_exports" ("user_id");`);

    this.addSql(
      `alter table "user_exports" add constraint "user_exports_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "user_exports" add constraint "user_exports_status_check" check ("status" in ('pending', 'ready', 'downloaded', 'expired'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "user_exports" cascade;`);
  }
}
