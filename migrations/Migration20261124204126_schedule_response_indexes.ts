import { Migration } from '@mikro-orm/migrations';

export class Migration20261124204126_schedule_response_indexes extends Migration {
  override name = 'Migration20261124204126_schedule_response_indexes';

  override up(): void | Promise<void> {
    this.addSql(
      `create index "schedule_executions_conversation_idx" on "schedule_executions" ((execution_metadata ->> 'conversation_id'));`,
    );
    this.addSql(
      `create index "schedule_executions_voice_call_idx" on "schedule_executions" ((execution_metadata ->> 'voice_call_id'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "schedule_executions_conversation_idx";`);
    this.addSql(`drop index "schedule_executions_voice_call_idx";`);
  }
}
