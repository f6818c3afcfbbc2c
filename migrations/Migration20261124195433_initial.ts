import { Migration } from '@mikro-orm/migrations';

export class Migration20261124195433_initial extends Migration {
  override name = 'Migration20261124195433_initial';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "outbox_jobs" ("id" uuid not null default gen_random_uuid(), "queue" text not null, "payload" jsonb not null, "options" jsonb null, "created_at" timestamptz not null default now(), "enqueued_at" timestamptz null, "relay_attempts" int not null default 0, "last_error" text null, primary key ("id"));`,
    );
    this.addSql(`create index "outbox_jobs_pending_idx" on "outbox_jobs" ("created_at") where "enqueued_at" is null;`);

    this.addSql(
      `create table "users" ("id" uuid not null, "email" text null, "phone_number" text null, "full_name" text null, "display_name" text null, "bio" text null, "avatar_url" text null, "email_confirmed_at" timestamptz null, "phone_confirmed_at" timestamptz null, "last_sign_in_at" timestamptz null, "is_active" boolean not null default true, "current_streak" int not null default 0, "xp" int not null default 0, "privacy_settings" jsonb not null default '{}', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "last_active_at" timestamptz null, "deleted_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "users_email_idx" on "users" ("email");`);
    this.addSql(`create index "users_phone_number_idx" on "users" ("phone_number");`);

    this.addSql(
      `create table "system_events" ("id" uuid not null default gen_random_uuid(), "user_id" uuid null, "event_type" text not null, "event_category" text not null, "event_data" jsonb not null default '{}', "severity" text not null default 'info', "session_id" text null, "ip_address" inet null, "user_agent" text null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(
      `create index "system_events_category_created_idx" on "system_events" ("event_category", "created_at");`,
    );
    this.addSql(`create index "system_events_user_created_idx" on "system_events" ("user_id", "created_at");`);

    this.addSql(
      `create table "schedules" ("id" uuid not null default gen_random_uuid(), "user_id" uuid not null, "name" text not null, "description" text null, "schedule_type" text not null, "cron_expression" text not null, "timezone" text not null default 'UTC', "next_run_at" timestamptz null, "last_run_at" timestamptz null, "reminder_method" text not null default 'in_app', "phone_number" text null, "email" text null, "assistant_id" text null, "is_active" boolean not null default true, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "custom_metadata" jsonb not null default '{}', "context_summary" text null, primary key ("id"));`,
    );
    this.addSql(`create index "schedules_due_idx" on "schedules" ("next_run_at") where "is_active" = true;`);
    this.addSql(`create index "schedules_user_idx" on "schedules" ("user_id");`);

    this.addSql(
      `create table "schedule_executions" ("id" uuid not null default gen_random_uuid(), "schedule_id" uuid not null, "executed_at" timestamptz not null, "status" text not null default 'pending', "error_message" text null, "user_responded" boolean not null default false, "response_time_minutes" int null, "session_duration_minutes" int null, "execution_metadata" jsonb not null default '{}', primary key ("id"));`,
    );
    this.addSql(
      `alter table "schedule_executions" add constraint "schedule_executions_slot_unique" unique ("schedule_id", "executed_at");`,
    );

    this.addSql(
      `create table "safety_contacts" ("id" uuid not null default gen_random_uuid(), "user_id" uuid not null, "contact_user_id" uuid null, "external_first_name" text null, "external_last_name" text null, "external_phone_number" text null, "external_email" text null, "priority_order" int not null, "allowed_communication_methods" jsonb not null default '[]', "preferred_communication_method" text null, "relationship_type" text null, "notes" text null, "preferred_contact_time" jsonb null, "timezone" text null, "is_active" boolean not null default true, "is_emergency_contact" boolean not null default false, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "last_contacted_at" timestamptz null, "last_contact_method" text null, "last_contact_successful" boolean null, "custom_metadata" jsonb not null default '{}', primary key ("id"));`,
    );
    this.addSql(`create index "safety_contacts_contact_user_idx" on "safety_contacts" ("contact_user_id");`);
    this.addSql(
      `alter table "safety_contacts" add constraint "safety_contacts_user_priority_unique" unique ("user_id", "priority_order") deferrable initially immediate;`,
    );

    this.addSql(
      `create table "conversations" ("id" uuid not null default gen_random_uuid(), "user_id" uuid not null, "title" text null, "description" text null, "session_type" text not null default 'chat', "status" text not null default 'active', "crisis_level" text not null default 'none', "safety_plan_triggered" boolean not null default false, "message_count" int not null default 0, "total_duration_minutes" int not null default 0, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "last_message_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "conversations_user_created_idx" on "conversations" ("user_id", "created_at");`);

    this.addSql(
      `create table "messages" ("id" uuid not null default gen_random_uuid(), "conversation_id" uuid not null, "user_id" uuid not null, "content" text not null, "role" text not null, "message_type" text not null default 'text', "processed_content" text null, "pii_detected" jsonb not null default '[]', "sentiment_score" real null, "crisis_indicators" jsonb not null default '[]', "requires_intervention" boolean not null default false, "memory_extracted" boolean not null default false, "memory_items_created" int not null default 0, "response_time_ms" int null, "model_used" text null, "tokens_used" int null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`create index "messages_conversation_created_idx" on "messages" ("conversation_id", "created_at");`);
    this.addSql(`create index "messages_user_created_idx" on "messages" ("user_id", "created_at");`);

    this.addSql(
      `create table "memory_items" ("id" uuid not null default gen_random_uuid(), "user_id" uuid not null, "conversation_id" uuid null, "message_id" uuid null, "content" text not null, "processed_content" text null, "memory_type" text not null, "storage_type" text not null default 'short_term', "significance_level" text not null default 'low', "significance_category" text null, "relevance_score" real null, "stability_score" real null, "explicitness_score" real null, "composite_score" real null, "embedding" real[] null, "pii_detected" jsonb not null default '[]', "user_consent" boolean not null default false, "anonymized_version" text null, "extraction_metadata" jsonb not null default '{}', "tags" jsonb not null default '[]', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "last_accessed_at" timestamptz null, "is_active" boolean not null default true, "is_archived" boolean not null default false, primary key ("id"));`,
    );
    this.addSql(`create index "memory_items_active_user_idx" on "memory_items" ("user_id") where "is_active" = true;`);
    this.addSql(`create index "memory_items_user_created_idx" on "memory_items" ("user_id", "created_at");`);
    this.addSql(`create index "memory_items_conversation_idx" on "memory_items" ("conversation_id");`);
    this.addSql(`create index "memory_items_message_idx" on "memory_items" ("message_id");`);

    this.addSql(
      `create table "conversation_summaries" ("id" uuid not null default gen_random_uuid(), "conversation_id" uuid not null, "user_id" uuid not null, "summary" text not null, "key_topics" jsonb not null default '[]', "emotional_themes" jsonb not null default '[]', "action_items" jsonb not null default '[]', "sentiment_overall" real null, "crisis_indicators" jsonb not null default '[]', "therapeutic_progress" text null, "summary_metadata" jsonb not null default '{}', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(
      `create index "conversation_summaries_conversation_created_idx" on "conversation_summaries" ("conversation_id", "created_at");`,
    );
    this.addSql(
      `create index "conversation_summaries_user_created_idx" on "conversation_summaries" ("user_id", "created_at");`,
    );

    this.addSql(
      `create table "contact_logs" ("id" uuid not null default gen_random_uuid(), "safety_contact_id" uuid null, "user_id" uuid not null, "attempted_at" timestamptz not null default now(), "contact_method" text not null, "success" boolean not null, "reason" text null, "initiated_by" text not null, "response_received" boolean not null default false, "response_time_minutes" int null, "response_summary" text null, "message_content" text null, "error_message" text null, "contact_metadata" jsonb not null default '{}', primary key ("id"));`,
    );
    this.addSql(`create index "contact_logs_user_attempted_idx" on "contact_logs" ("user_id", "attempted_at");`);
    this.addSql(`create index "contact_logs_safety_contact_idx" on "contact_logs" ("safety_contact_id");`);

    this.addSql(
      `create table "user_privacy_settings" ("id" uuid not null default gen_random_uuid(), "user_id" uuid not null, "data_retention_days" int not null default 365, "allow_long_term_storage" boolean not null default false, "auto_anonymize_pii" boolean not null default true, "pii_handling_preferences" jsonb not null default '{}', "consent_version" text null, "consent_date" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(
      `alter table "user_privacy_settings" add constraint "user_privacy_settings_user_id_unique" unique ("user_id");`,
    );

    this.addSql(
      `create table "user_service_profiles" ("id" uuid not null default gen_random_uuid(), "user_id" uuid not null, "service_type" text not null, "service_preferences" jsonb not null default '{}', "service_metadata" jsonb not null default '{}', "usage_stats" jsonb not null default '{}', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "last_used_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "user_service_profiles" add constraint "user_service_profiles_user_service_unique" unique ("user_id", "service_type");`,
    );

    this.addSql(
      `create table "user_sessions" ("id" uuid not null default gen_random_uuid(), "user_id" uuid not null, "session_token" text not null, "service_type" text not null, "ip_address" inet null, "user_agent" text null, "device_info" jsonb not null default '{}', "is_active" boolean not null default true, "expires_at" timestamptz not null, "created_at" timestamptz not null default now(), "last_activity_at" timestamptz not null default now(), "ended_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "user_sessions" add constraint "user_sessions_session_token_unique" unique ("session_token");`,
    );
    this.addSql(`create index "user_sessions_user_idx" on "user_sessions" ("user_id");`);

    this.addSql(
      `create table "user_sync_logs" ("id" uuid not null default gen_random_uuid(), "user_id" uuid null, "sync_type" text not null, "source" text not null, "before_data" jsonb null, "after_data" jsonb null, "success" boolean not null, "error_message" text null, "request_id" text null, "session_id" text null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`create index "user_sync_logs_user_created_idx" on "user_sync_logs" ("user_id", "created_at");`);

    this.addSql(
      `create table "voices" ("id" uuid not null default gen_random_uuid(), "name" text not null, "assistant_id" text not null, "description" text null, "sample_url" text null, "is_active" boolean not null default true, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`alter table "voices" add constraint "voices_assistant_id_unique" unique ("assistant_id");`);

    this.addSql(
      `create table "voice_calls" ("id" uuid not null default gen_random_uuid(), "vapi_call_id" text null, "user_id" uuid not null, "assistant_id" text not null, "channel" text not null, "status" text not null default 'queued', "phone_number" text null, "started_at" timestamptz null, "ended_at" timestamptz null, "created_at" timestamptz not null default now(), "cost_total" numeric(12,4) null, "cost_breakdown" jsonb not null default '{}', primary key ("id"));`,
    );
    this.addSql(`alter table "voice_calls" add constraint "voice_calls_vapi_call_id_unique" unique ("vapi_call_id");`);
    this.addSql(`create index "voice_calls_user_created_idx" on "voice_calls" ("user_id", "created_at");`);
    this.addSql(`create index "voice_calls_assistant_idx" on "voice_calls" ("assistant_id");`);

    this.addSql(
      `create table "call_summaries" ("id" uuid not null default gen_random_uuid(), "call_id" uuid not null, "user_id" uuid not null, "summary_json" jsonb not null default '{}', "duration_seconds" int null, "sentiment" text null, "key_topics" jsonb not null default '[]', "action_items" jsonb not null default '[]', "crisis_indicators" jsonb not null default '[]', "emotional_state" text null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`alter table "call_summaries" add constraint "call_summaries_call_id_unique" unique ("call_id");`);
    this.addSql(`create index "call_summaries_user_created_idx" on "call_summaries" ("user_id", "created_at");`);

    this.addSql(
      `create table "voice_schedules" ("id" uuid not null default gen_random_uuid(), "user_id" uuid not null, "assistant_id" text not null, "name" text not null, "cron_expression" text not null, "timezone" text not null default 'UTC', "next_run_at" timestamptz null, "last_run_at" timestamptz null, "is_active" boolean not null default true, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "custom_metadata" jsonb not null default '{}', primary key ("id"));`,
    );
    this.addSql(
      `create index "voice_schedules_due_idx" on "voice_schedules" ("next_run_at") where "is_active" = true;`,
    );
    this.addSql(`create index "voice_schedules_user_idx" on "voice_schedules" ("user_id");`);
    this.addSql(`create index "voice_schedules_assistant_idx" on "voice_schedules" ("assistant_id");`);

    this.addSql(
      `create table "webhook_events" ("id" uuid not null default gen_random_uuid(), "vapi_call_id" text null, "event_type" text not null, "event_key" text not null, "payload" jsonb not null, "processed_at" timestamptz null, "processing_status" text not null default 'pending', "error_message" text null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`alter table "webhook_events" add constraint "webhook_events_event_key_unique" unique ("event_key");`);
    this.addSql(`create index "webhook_events_vapi_call_idx" on "webhook_events" ("vapi_call_id");`);
    this.addSql(
      `create index "webhook_events_status_created_idx" on "webhook_events" ("processing_status", "created_at");`,
    );

    this.addSql(
      `alter table "users" add constraint "users_deleted_inactive_check" check (deleted_at is null or not is_active);`,
    );
    this.addSql(`alter table "users" add constraint "users_current_streak_check" check (current_streak >= 0);`);
    this.addSql(`alter table "users" add constraint "users_xp_check" check (xp >= 0);`);
    this.addSql(
      `create or replace function "users_deactivate_safety_contacts_fn"() returns trigger as $$ begin update safety_contacts set is_active = false, updated_at = now() where contact_user_id = old.id; return old; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "deactivate_safety_contacts" BEFORE DELETE on "users" for each ROW execute function "users_deactivate_safety_contacts_fn"();`,
    );

    this.addSql(
      `alter table "system_events" add constraint "system_events_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "system_events" add constraint "system_events_event_category_check" check ("event_category" in ('auth', 'user', 'chat', 'memory', 'voice', 'scheduling', 'safety', 'privacy', 'system', 'jobs', 'admin'));`,
    );
    this.addSql(
      `alter table "system_events" add constraint "system_events_severity_check" check ("severity" in ('debug', 'info', 'warning', 'error', 'critical'));`,
    );

    this.addSql(
      `alter table "schedules" add constraint "schedules_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "schedules" add constraint "schedules_schedule_type_check" check ("schedule_type" in ('chat', 'voice'));`,
    );
    this.addSql(
      `alter table "schedules" add constraint "schedules_reminder_method_check" check ("reminder_method" in ('in_app', 'sms', 'email', 'voice'));`,
    );

    this.addSql(
      `alter table "schedule_executions" add constraint "schedule_executions_schedule_id_foreign" foreign key ("schedule_id") references "schedules" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "schedule_executions" add constraint "schedule_executions_failure_reason_check" check (status <> 'failed' or error_message is not null);`,
    );
    this.addSql(
      `alter table "schedule_executions" add constraint "schedule_executions_response_time_minutes_check" check (response_time_minutes >= 0);`,
    );
    this.addSql(
      `alter table "schedule_executions" add constraint "schedule_executions_session_duration_minutes_check" check (session_duration_minutes >= 0);`,
    );
    this.addSql(
      `alter table "schedule_executions" add constraint "schedule_executions_status_check" check ("status" in ('pending', 'sent', 'completed', 'skipped', 'failed', 'missed'));`,
    );

    this.addSql(
      `alter table "safety_contacts" add constraint "safety_contacts_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "safety_contacts" add constraint "safety_contacts_contact_user_id_foreign" foreign key ("contact_user_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "safety_contacts" add constraint "safety_contacts_reachable_check" check (not is_active or contact_user_id is not null or (external_first_name is not null and (external_phone_number is not null or external_email is not null)));`,
    );
    this.addSql(
      `alter table "safety_contacts" add constraint "safety_contacts_not_self_check" check (contact_user_id <> user_id);`,
    );
    this.addSql(
      `alter table "safety_contacts" add constraint "safety_contacts_preferred_allowed_check" check (preferred_communication_method is null or allowed_communication_methods @> jsonb_build_array(preferred_communication_method));`,
    );
    this.addSql(
      `alter table "safety_contacts" add constraint "safety_contacts_contact_time_check" check (preferred_contact_time is null or jsonb_typeof(preferred_contact_time) = 'object');`,
    );
    this.addSql(
      `alter table "safety_contacts" add constraint "safety_contacts_priority_order_check" check (priority_order >= 1);`,
    );
    this.addSql(
      `alter table "safety_contacts" add constraint "safety_contacts_allowed_communication_methods_check" check (jsonb_typeof(allowed_communication_methods) = 'array');`,
    );
    this.addSql(
      `alter table "safety_contacts" add constraint "safety_contacts_preferred_communication_method_check" check ("preferred_communication_method" in ('sms', 'email', 'voice', 'in_app'));`,
    );
    this.addSql(
      `alter table "safety_contacts" add constraint "safety_contacts_relationship_type_check" check ("relationship_type" in ('family', 'partner', 'friend', 'therapist', 'doctor', 'colleague', 'other'));`,
    );
    this.addSql(
      `alter table "safety_contacts" add constraint "safety_contacts_last_contact_method_check" check ("last_contact_method" in ('sms', 'email', 'voice', 'in_app'));`,
    );

    this.addSql(
      `alter table "conversations" add constraint "conversations_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "conversations" add constraint "conversations_message_count_check" check (message_count >= 0);`,
    );
    this.addSql(
      `alter table "conversations" add constraint "conversations_total_duration_minutes_check" check (total_duration_minutes >= 0);`,
    );
    this.addSql(
      `alter table "conversations" add constraint "conversations_session_type_check" check ("session_type" in ('chat', 'voice', 'check_in'));`,
    );
    this.addSql(
      `alter table "conversations" add constraint "conversations_status_check" check ("status" in ('active', 'ended', 'archived'));`,
    );
    this.addSql(
      `alter table "conversations" add constraint "conversations_crisis_level_check" check ("crisis_level" in ('none', 'low', 'medium', 'high', 'critical'));`,
    );

    this.addSql(
      `alter table "messages" add constraint "messages_conversation_id_foreign" foreign key ("conversation_id") references "conversations" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_pii_detected_check" check (jsonb_typeof(pii_detected) = 'array');`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_sentiment_score_check" check (sentiment_score >= -1::real and sentiment_score <= 1::real);`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_crisis_indicators_check" check (jsonb_typeof(crisis_indicators) = 'array');`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_memory_items_created_check" check (memory_items_created >= 0);`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_response_time_ms_check" check (response_time_ms >= 0);`,
    );
    this.addSql(`alter table "messages" add constraint "messages_tokens_used_check" check (tokens_used >= 0);`);
    this.addSql(
      `alter table "messages" add constraint "messages_role_check" check ("role" in ('user', 'assistant', 'system'));`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_message_type_check" check ("message_type" in ('text', 'voice_transcript', 'system_notice'));`,
    );

    this.addSql(
      `alter table "memory_items" add constraint "memory_items_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "memory_items" add constraint "memory_items_conversation_id_foreign" foreign key ("conversation_id") references "conversations" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "memory_items" add constraint "memory_items_message_id_foreign" foreign key ("message_id") references "messages" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "memory_items" add constraint "memory_items_relevance_score_check" check (relevance_score >= 0::real and relevance_score <= 1::real);`,
    );
    this.addSql(
      `alter table "memory_items" add constraint "memory_items_stability_score_check" check (stability_score >= 0::real and stability_score <= 1::real);`,
    );
    this.addSql(
      `alter table "memory_items" add constraint "memory_items_explicitness_score_check" check (explicitness_score >= 0::real and explicitness_score <= 1::real);`,
    );
    this.addSql(
      `alter table "memory_items" add constraint "memory_items_composite_score_check" check (composite_score >= 0::real and composite_score <= 1::real);`,
    );
    this.addSql(
      `alter table "memory_items" add constraint "memory_items_embedding_check" check (embedding is null or cardinality(embedding) = 1536);`,
    );
    this.addSql(
      `alter table "memory_items" add constraint "memory_items_pii_detected_check" check (jsonb_typeof(pii_detected) = 'array');`,
    );
    this.addSql(
      `alter table "memory_items" add constraint "memory_items_tags_check" check (jsonb_typeof(tags) = 'array');`,
    );
    this.addSql(
      `alter table "memory_items" add constraint "memory_items_memory_type_check" check ("memory_type" in ('personal_fact', 'preference', 'goal', 'relationship', 'event', 'emotional_pattern', 'coping_strategy', 'trigger', 'health'));`,
    );
    this.addSql(
      `alter table "memory_items" add constraint "memory_items_storage_type_check" check ("storage_type" in ('short_term', 'long_term'));`,
    );
    this.addSql(
      `alter table "memory_items" add constraint "memory_items_significance_level_check" check ("significance_level" in ('low', 'medium', 'high', 'critical'));`,
    );
    this.addSql(
      `alter table "memory_items" add constraint "memory_items_significance_category_check" check ("significance_category" in ('emotional', 'relational', 'health', 'safety', 'growth', 'routine', 'other'));`,
    );

    this.addSql(
      `alter table "conversation_summaries" add constraint "conversation_summaries_conversation_id_foreign" foreign key ("conversation_id") references "conversations" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "conversation_summaries" add constraint "conversation_summaries_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "conversation_summaries" add constraint "conversation_summaries_key_topics_check" check (jsonb_typeof(key_topics) = 'array');`,
    );
    this.addSql(
      `alter table "conversation_summaries" add constraint "conversation_summaries_emotional_themes_check" check (jsonb_typeof(emotional_themes) = 'array');`,
    );
    this.addSql(
      `alter table "conversation_summaries" add constraint "conversation_summaries_action_items_check" check (jsonb_typeof(action_items) = 'array');`,
    );
    this.addSql(
      `alter table "conversation_summaries" add constraint "conversation_summaries_sentiment_overall_check" check (sentiment_overall >= -1::real and sentiment_overall <= 1::real);`,
    );
    this.addSql(
      `alter table "conversation_summaries" add constraint "conversation_summaries_crisis_indicators_check" check (jsonb_typeof(crisis_indicators) = 'array');`,
    );

    this.addSql(
      `alter table "contact_logs" add constraint "contact_logs_safety_contact_id_foreign" foreign key ("safety_contact_id") references "safety_contacts" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "contact_logs" add constraint "contact_logs_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "contact_logs" add constraint "contact_logs_response_time_check" check (response_received or response_time_minutes is null);`,
    );
    this.addSql(
      `alter table "contact_logs" add constraint "contact_logs_response_time_minutes_check" check (response_time_minutes >= 0);`,
    );
    this.addSql(
      `alter table "contact_logs" add constraint "contact_logs_contact_method_check" check ("contact_method" in ('sms', 'email', 'voice', 'in_app'));`,
    );
    this.addSql(
      `alter table "contact_logs" add constraint "contact_logs_initiated_by_check" check ("initiated_by" in ('system', 'user', 'escalation'));`,
    );

    this.addSql(
      `alter table "user_privacy_settings" add constraint "user_privacy_settings_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "user_privacy_settings" add constraint "user_privacy_settings_consent_check" check ((consent_version is null) = (consent_date is null));`,
    );
    this.addSql(
      `alter table "user_privacy_settings" add constraint "user_privacy_settings_data_retention_days_check" check (data_retention_days > 0);`,
    );

    this.addSql(
      `alter table "user_service_profiles" add constraint "user_service_profiles_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "user_service_profiles" add constraint "user_service_profiles_service_type_check" check ("service_type" in ('chat', 'voice', 'scheduling'));`,
    );

    this.addSql(
      `alter table "user_sessions" add constraint "user_sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "user_sessions" add constraint "user_sessions_expiry_check" check (expires_at > created_at);`,
    );
    this.addSql(
      `alter table "user_sessions" add constraint "user_sessions_ended_inactive_check" check (ended_at is null or not is_active);`,
    );
    this.addSql(
      `alter table "user_sessions" add constraint "user_sessions_service_type_check" check ("service_type" in ('chat', 'voice', 'scheduling'));`,
    );

    this.addSql(
      `alter table "user_sync_logs" add constraint "user_sync_logs_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "user_sync_logs" add constraint "user_sync_logs_failure_reason_check" check (success or error_message is not null);`,
    );
    this.addSql(
      `alter table "user_sync_logs" add constraint "user_sync_logs_sync_type_check" check ("sync_type" in ('create', 'update', 'delete', 'reconcile'));`,
    );
    this.addSql(
      `alter table "user_sync_logs" add constraint "user_sync_logs_source_check" check ("source" in ('webhook', 'self_sync', 'reconcile', 'admin'));`,
    );

    this.addSql(
      `alter table "voice_calls" add constraint "voice_calls_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "voice_calls" add constraint "voice_calls_assistant_id_foreign" foreign key ("assistant_id") references "voices" ("assistant_id");`,
    );
    this.addSql(
      `alter table "voice_calls" add constraint "voice_calls_phone_number_check" check (channel = 'web' or phone_number is not null);`,
    );
    this.addSql(
      `alter table "voice_calls" add constraint "voice_calls_ended_after_started_check" check (ended_at is null or started_at is null or ended_at >= started_at);`,
    );
    this.addSql(`alter table "voice_calls" add constraint "voice_calls_cost_total_check" check (cost_total >= 0);`);
    this.addSql(
      `alter table "voice_calls" add constraint "voice_calls_channel_check" check ("channel" in ('outbound_phone', 'inbound_phone', 'web'));`,
    );
    this.addSql(
      `alter table "voice_calls" add constraint "voice_calls_status_check" check ("status" in ('scheduled', 'queued', 'ringing', 'in-progress', 'forwarding', 'ended', 'failed'));`,
    );

    this.addSql(
      `alter table "call_summaries" add constraint "call_summaries_call_id_foreign" foreign key ("call_id") references "voice_calls" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "call_summaries" add constraint "call_summaries_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "call_summaries" add constraint "call_summaries_duration_seconds_check" check (duration_seconds >= 0);`,
    );
    this.addSql(
      `alter table "call_summaries" add constraint "call_summaries_key_topics_check" check (jsonb_typeof(key_topics) = 'array');`,
    );
    this.addSql(
      `alter table "call_summaries" add constraint "call_summaries_action_items_check" check (jsonb_typeof(action_items) = 'array');`,
    );
    this.addSql(
      `alter table "call_summaries" add constraint "call_summaries_crisis_indicators_check" check (jsonb_typeof(crisis_indicators) = 'array');`,
    );
    this.addSql(
      `alter table "call_summaries" add constraint "call_summaries_sentiment_check" check ("sentiment" in ('positive', 'neutral', 'negative', 'mixed'));`,
    );

    this.addSql(
      `alter table "voice_schedules" add constraint "voice_schedules_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "voice_schedules" add constraint "voice_schedules_assistant_id_foreign" foreign key ("assistant_id") references "voices" ("assistant_id");`,
    );

    this.addSql(
      `alter table "webhook_events" add constraint "webhook_events_processed_at_check" check (processing_status <> 'processed' or processed_at is not null);`,
    );
    this.addSql(
      `alter table "webhook_events" add constraint "webhook_events_failure_reason_check" check (processing_status <> 'failed' or error_message is not null);`,
    );
    this.addSql(
      `alter table "webhook_events" add constraint "webhook_events_processing_status_check" check ("processing_status" in ('pending', 'processing', 'processed', 'failed', 'skipped'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "system_events" drop constraint "system_events_user_id_foreign";`);
    this.addSql(`alter table "schedules" drop constraint "schedules_user_id_foreign";`);
    this.addSql(`alter table "safety_contacts" drop constraint "safety_contacts_user_id_foreign";`);
    this.addSql(`alter table "safety_contacts" drop constraint "safety_contacts_contact_user_id_foreign";`);
    this.addSql(`alter table "conversations" drop constraint "conversations_user_id_foreign";`);
    this.addSql(`alter table "messages" drop constraint "messages_user_id_foreign";`);
    this.addSql(`alter table "memory_items" drop constraint "memory_items_user_id_foreign";`);
    this.addSql(`alter table "conversation_summaries" drop constraint "conversation_summaries_user_id_foreign";`);
    this.addSql(`alter table "contact_logs" drop constraint "contact_logs_user_id_foreign";`);
    this.addSql(`alter table "user_privacy_settings" drop constraint "user_privacy_settings_user_id_foreign";`);
    this.addSql(`alter table "user_service_profiles" drop constraint "user_service_profiles_user_id_foreign";`);
    this.addSql(`alter table "user_sessions" drop constraint "user_sessions_user_id_foreign";`);
    this.addSql(`alter table "user_sync_logs" drop constraint "user_sync_logs_user_id_foreign";`);
    this.addSql(`alter table "voice_calls" drop constraint "voice_calls_user_id_foreign";`);
    this.addSql(`alter table "call_summaries" drop constraint "call_summaries_user_id_foreign";`);
    this.addSql(`alter table "voice_schedules" drop constraint "voice_schedules_user_id_foreign";`);
    this.addSql(`alter table "schedule_executions" drop constraint "schedule_executions_schedule_id_foreign";`);
    this.addSql(`alter table "contact_logs" drop constraint "contact_logs_safety_contact_id_foreign";`);
    this.addSql(`alter table "messages" drop constraint "messages_conversation_id_foreign";`);
    this.addSql(`alter table "memory_items" drop constraint "memory_items_conversation_id_foreign";`);
    this.addSql(
      `alter table "conversation_summaries" drop constraint "conversation_summaries_conversation_id_foreign";`,
    );
    this.addSql(`alter table "memory_items" drop constraint "memory_items_message_id_foreign";`);
    this.addSql(`alter table "voice_calls" drop constraint "voice_calls_assistant_id_foreign";`);
    this.addSql(`alter table "voice_schedules" drop constraint "voice_schedules_assistant_id_foreign";`);
    this.addSql(`alter table "call_summaries" drop constraint "call_summaries_call_id_foreign";`);

    this.addSql(`drop table if exists "outbox_jobs" cascade;`);
    this.addSql(`drop trigger if exists "deactivate_safety_contacts" on "users";`);
    this.addSql(`drop function if exists "users_deactivate_safety_contacts_fn"();`);
    this.addSql(`drop table if exists "users" cascade;`);
    this.addSql(`drop table if exists "system_events" cascade;`);
    this.addSql(`drop table if exists "schedules" cascade;`);
    this.addSql(`drop table if exists "schedule_executions" cascade;`);
    this.addSql(`drop table if exists "safety_contacts" cascade;`);
    this.addSql(`drop table if exists "conversations" cascade;`);
    this.addSql(`drop table if exists "messages" cascade;`);
    this.addSql(`drop table if exists "memory_items" cascade;`);
    this.addSql(`drop table if exists "conversation_summaries" cascade;`);
    this.addSql(`drop table if exists "contact_logs" cascade;`);
    this.addSql(`drop table if exists "user_privacy_settings" cascade;`);
    this.addSql(`drop table if exists "user_service_profiles" cascade;`);
    this.addSql(`drop table if exists "user_sessions" cascade;`);
    this.addSql(`drop table if exists "user_sync_logs" cascade;`);
    this.addSql(`drop table if exists "voices" cascade;`);
    this.addSql(`drop table if exists "voice_calls" cascade;`);
    this.addSql(`drop table if exists "call_summaries" cascade;`);
    this.addSql(`drop table if exists "voice_schedules" cascade;`);
    this.addSql(`drop table if exists "webhook_events" cascade;`);
  }
}
