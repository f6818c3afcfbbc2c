import { Migration } from '@mikro-orm/migrations';

export class Migration20261124201744_activity_events extends Migration {
  override name = 'Migration20261124201744_activity_events';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "activity_events" ("id" uuid not null, "user_id" uuid not null, "kind" text not null, "service" text not null, "source_id" uuid not null, "conversation_id" uuid null, "occurred_at" timestamptz not null, "zone" text not null, "crisis" boolean not null, "minutes" int null, "xp_awarded" int not null, "streak_after" int not null, "streak_date_after" text not null, "xp_after" int not null, "day_xp_after" int not null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`create index "activity_events_user_time_idx" on "activity_events" ("user_id", "occurred_at");`);
    this.addSql(
      `create index "activity_events_conversation_idx" on "activity_events" ("conversation_id") where "conversation_id" is not null;`,
    );

    this.addSql(
      `alter table "activity_events" add constraint "activity_events_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(`alter table "activity_events" add constraint "activity_events_minutes_check" check (minutes >= 0);`);
    this.addSql(
      `alter table "activity_events" add constraint "activity_events_xp_awarded_check" check (xp_awarded >= 0);`,
    );
    this.addSql(
      `alter table "activity_events" add constraint "activity_events_streak_after_check" check (streak_after >= 0);`,
    );
    this.addSql(`alter table "activity_events" add constraint "activity_events_xp_after_check" check (xp_after >= 0);`);
    this.addSql(
      `alter table "activity_events" add constraint "activity_events_day_xp_after_check" check (day_xp_after >= 0);`,
    );
    this.addSql(
      `alter table "activity_events" add constraint "activity_events_kind_check" check ("kind" in ('message', 'checkin_response', 'call_completed'));`,
    );
    this.addSql(
      `alter table "activity_events" add constraint "activity_events_service_check" check ("service" in ('chat', 'voice', 'scheduling'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "activity_events" cascade;`);
  }
}
