import { Migration } from '@mikro-orm/migrations';

export class Migration20261124201233_user_sync extends Migration {
  override name = 'Migration20261124201233_user_sync';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "users" add "display_name_set_in_app" boolean not null default false, add "auth_updated_at" timestamptz null;`,
    );

    this.addSql(`alter table "user_sync_logs" drop constraint "user_sync_logs_sync_type_check";`);
    this.addSql(
      `alter table "user_sync_logs" add constraint "user_sync_logs_sync_type_check" check ("sync_type" in ('create', 'update', 'delete', 'reconcile', 'noop'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "user_sync_logs" drop constraint "user_sync_logs_sync_type_check";`);
    this.addSql(
      `alter table "user_sync_logs" add constraint "user_sync_logs_sync_type_check" check ("sync_type" in ('create', 'update', 'delete', 'reconcile'));`,
    );

    this.addSql(`alter table "users" drop column "display_name_set_in_app", drop column "auth_updated_at";`);
  }
}
