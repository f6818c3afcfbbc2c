import { Migration } from '@mikro-orm/migrations';

export class Migration20261124210000_voice_call_attempts extends Migration {
  override name = 'Migration20261124210000_voice_call_attempts';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "voice_calls" add "ended_reason" text null, add "attempt_key" text null, add "attempted_at" timestamptz null, add "last_error" text null, add "metadata" jsonb not null default '{}';`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(
      `alter table "voice_calls" drop column "ended_reason", drop column "attempt_key", drop column "attempted_at", drop column "last_error", drop column "metadata";`,
    );
  }
}
