/**
 * The allowed values of every enum-like column. The entities turn each list into a CHECK constraint
 * (text column + `check (col in (...))`), and zod schemas reuse the same lists: `z.enum(CRISIS_LEVELS)`.
 * Adding a value is a schema change: edit the list, then generate a migration (`npm run db:create`).
 */

/** user_service_profiles.service_type, user_sessions.service_type */
export const SERVICE_TYPES = ['chat', 'voice', 'scheduling'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

/** user_destinations.channel: where a reminder can be sent besides the app. */
export const DESTINATION_CHANNELS = ['sms', 'email'] as const;
export type DestinationChannel = (typeof DESTINATION_CHANNELS)[number];

/** user_sync_logs.sync_type (`noop`: a replayed or out-of-date snapshot that changed nothing). */
export const SYNC_TYPES = ['create', 'update', 'delete', 'reconcile', 'noop'] as const;
export type SyncType = (typeof SYNC_TYPES)[number];

/** user_sync_logs.source: who started the sync. */
export const SYNC_SOURCES = ['webhook', 'self_sync', 'reconcile', 'admin'] as const;
export type SyncSource = (typeof SYNC_SOURCES)[number];

/** conversations.session_type */
export const SESSION_TYPES = ['chat', 'voice', 'check_in'] as const;
export type SessionType = (typeof SESSION_TYPES)[number];

/** conversations.status */
export const CONVERSATION_STATUSES = ['active', 'ended', 'archived'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

/** conversations.crisis_level, in increasing order of severity. */
export const CRISIS_LEVELS = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type CrisisLevel = (typeof CRISIS_LEVELS)[number];

/** messages.role */
export const MESSAGE_ROLES = ['user', 'assistant', 'system'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** messages.message_type */
export const MESSAGE_TYPES = ['text', 'voice_transcript', 'system_notice'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/**
 * Kinds of PII a detector can report. messages.pii_detected and memory_items.pii_detected are jsonb lists
 * of these (empty list = nothing found); the database only checks that the value is a list.
 */
export const PII_KINDS = [
  'name',
  'email',
  'phone',
  'address',
  'date_of_birth',
  'government_id',
  'financial',
  'health_identifier',
  'ip_address',
  'url',
  'other',
] as const;
export type PiiKind = (typeof PII_KINDS)[number];

/** memory_items.memory_type: what the memory is about. */
export const MEMORY_TYPES = [
  'personal_fact',
  'preference',
  'goal',
  'relationship',
  'event',
  'emotional_pattern',
  'coping_strategy',
  'trigger',
  'health',
] as const;
export type MemoryType = (typeof MEMORY_TYPES)[number];

/** memory_items.storage_type */
export const STORAGE_TYPES = ['short_term', 'long_term'] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];

/** memory_items.significance_level: a coarse bucket (the fine-grained number is composite_score). */
export const SIGNIFICANCE_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type SignificanceLevel = (typeof SIGNIFICANCE_LEVELS)[number];

/** memory_items.significance_category: why the memory matters. */
export const SIGNIFICANCE_CATEGORIES = [
  'emotional',
  'relational',
  'health',
  'safety',
  'growth',
  'routine',
  'other',
] as const;
export type SignificanceCategory = (typeof SIGNIFICANCE_CATEGORIES)[number];

/** system_events.event_category */
export const EVENT_CATEGORIES = [
  'auth',
  'user',
  'chat',
  'memory',
  'voice',
  'scheduling',
  'safety',
  'privacy',
  'system',
  'jobs',
  'admin',
] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

/** system_events.severity */
export const SEVERITIES = ['debug', 'info', 'warning', 'error', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * voice_calls.status: Vapi's `call.status` values we keep, plus our own `failed` (the call could not be
 * placed or Vapi reported a start error). Map a status Vapi adds later to the nearest of these, never store it raw.
 */
export const CALL_STATUSES = [
  'scheduled',
  'queued',
  'ringing',
  'in-progress',
  'forwarding',
  'ended',
  'failed',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/** voice_calls.channel (Vapi `call.type`: outboundPhoneCall, inboundPhoneCall, webCall). */
export const CALL_CHANNELS = ['outbound_phone', 'inbound_phone', 'web'] as const;
export type CallChannel = (typeof CALL_CHANNELS)[number];

/** call_summaries.sentiment: the label the call analysis gives. */
export const SENTIMENT_LABELS = ['positive', 'neutral', 'negative', 'mixed'] as const;
export type SentimentLabel = (typeof SENTIMENT_LABELS)[number];

/** webhook_events.processing_status */
export const WEBHOOK_PROCESSING_STATUSES = ['pending', 'processing', 'processed', 'failed', 'skipped'] as const;
export type WebhookProcessingStatus = (typeof WEBHOOK_PROCESSING_STATUSES)[number];

/** schedules.schedule_type */
export const SCHEDULE_TYPES = ['chat', 'voice'] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

/** schedules.reminder_method */
export const REMINDER_METHODS = ['in_app', 'sms', 'email', 'voice'] as const;
export type ReminderMethod = (typeof REMINDER_METHODS)[number];

/** schedule_executions.status */
export const EXECUTION_STATUSES = ['pending', 'sent', 'completed', 'skipped', 'failed', 'missed'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/**
 * How a safety contact can be reached: safety_contacts.allowed_communication_methods (a jsonb list of these),
 * .preferred_communication_method, .last_contact_method, and contact_logs.contact_method.
 */
export const CONTACT_METHODS = ['sms', 'email', 'voice', 'in_app'] as const;
export type ContactMethod = (typeof CONTACT_METHODS)[number];

/** safety_contacts.relationship_type */
export const RELATIONSHIP_TYPES = ['family', 'partner', 'friend', 'therapist', 'doctor', 'colleague', 'other'] as const;
export type RelationshipType = (typeof RELATIONSHIP_TYPES)[number];

/** contact_logs.initiated_by */
export const CONTACT_INITIATORS = ['system', 'user', 'escalation'] as const;
export type ContactInitiator = (typeof CONTACT_INITIATORS)[number];

/** safety_incidents.status: open while outreach runs; acknowledged stops it; exhausted = nobody acknowledged. */
export const INCIDENT_STATUSES = ['open', 'acknowledged', 'exhausted'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** safety_incidents.crisis_level: only these levels reach contacts. */
export const OUTREACH_LEVELS = ['high', 'critical'] as const;
export type OutreachLevel = (typeof OUTREACH_LEVELS)[number];
