import { Migration } from '@mikro-orm/migrations';

export class Migration20261202113423_profile_destinations_inbound extends Migration {
  override name = 'Migration20261202113423_profile_destinations_inbound';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "user_destinations" ("id" uuid not null default gen_random_uuid(), "user_id" uuid not null, "channel" text not null, "address" text not null, "code_hash" text null, "code_expires_at" timestamptz null, "failed_attempts" int not null default 0, "verified_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(
      `alter table "user_destinations" add constraint "user_destinations_user_address_unique" unique ("user_id", "channel", "address");`,
    );

    this.addSql(`alter table "voice_calls" alter column "user_id" drop not null;`);
    this.addSql(
      `alter table "voice_calls" add constraint "voice_calls_user_check" check (user_id is not null or channel = 'inbound_phone');`,
    );

    this.addSql(
      `alter table "user_destinations" add constraint "user_destinations_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "user_destinations" add constraint "user_destinations_code_pair_check" check ((code_hash is null) = (code_expires_at is null));`,
    );
    this.addSql(
      `alter table "user_destinations" add constraint "user_destinations_failed_attempts_check" check (failed_attempts >= 0);`,
    );
    this.addSql(
      `alter table "user_destinations" add constraint "user_destinations_channel_check" check ("channel" in ('sms', 'email'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "user_destinations" cascade;`);

    this.addSql(`alter table "voice_calls" drop constraint "voice_calls_user_check";`);
    this.addSql(`alter table "voice_calls" alter column "user_id" set not null;`);
  }
}
