import { Migration } from '@mikro-orm/migrations';

export class Migration20261124201430_safety_incidents extends Migration {
  override name = 'Migration20261124201430_safety_incidents';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "safety_incidents" ("id" uuid not null default gen_random_uuid(), "user_id" uuid not null, "status" text not null default 'open', "crisis_level" text not null, "emergency" boolean not null, "triggers" jsonb not null default '[]', "plan" jsonb not null default '[]', "current_step" int not null default 0, "reason" text null, "opened_at" timestamptz not null default now(), "last_trigger_at" timestamptz not null, "acknowledged_at" timestamptz null, "acknowledged_by" text null, "closed_at" timestamptz null, "updated_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`create index "safety_incidents_user_opened_idx" on "safety_incidents" ("user_id", "opened_at");`);
    this.addSql(
      `create unique index "safety_incidents_one_open_per_user" on "safety_incidents" ("user_id") where "status" = 'open';`,
    );

    this.addSql(
      `alter table "safety_incidents" add constraint "safety_incidents_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "safety_incidents" add constraint "safety_incidents_triggers_check" check (jsonb_typeof(triggers) = 'array');`,
    );
    this.addSql(
      `alter table "safety_incidents" add constraint "safety_incidents_plan_check" check (jsonb_typeof(plan) = 'array');`,
    );
    this.addSql(
      `alter table "safety_incidents" add constraint "safety_incidents_current_step_check" check (current_step >= 0);`,
    );
    this.addSql(
      `alter table "safety_incidents" add constraint "safety_incidents_status_check" check ("status" in ('open', 'acknowledged', 'exhausted'));`,
    );
    this.addSql(
      `alter table "safety_incidents" add constraint "safety_incidents_crisis_level_check" check ("crisis_level" in ('high', 'critical'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "safety_incidents" cascade;`);
  }
}
