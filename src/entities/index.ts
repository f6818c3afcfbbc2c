// Every entity the ORM knows, listed explicitly (no folder scanning).
import { ActivityEventSchema } from './activity-event.entity.ts';
import { CallSummarySchema } from './call-summary.entity.ts';
import { ErasedIdentitySchema } from './erased-identity.entity.ts';
import { ContactLogSchema } from './contact-log.entity.ts';
import { ConversationSummarySchema } from './conversation-summary.entity.ts';
import { ConversationSchema } from './conversation.entity.ts';
import { MemoryItemSchema } from './memory-item.entity.ts';
import { MessageSchema } from './message.entity.ts';
import { OutboxJobSchema } from './outbox-job.entity.ts';
import { SafetyContactSchema } from './safety-contact.entity.ts';
import { SafetyIncidentSchema } from './safety-incident.entity.ts';
import { ScheduleExecutionSchema } from './schedule-execution.entity.ts';
import { ScheduleSchema } from './schedule.entity.ts';
import { SystemEventSchema } from './system-event.entity.ts';
import { UserExportSchema } from './user-export.entity.ts';
import { UserPrivacySettingsSchema } from './user-privacy-settings.entity.ts';
import { UserServiceProfileSchema } from './user-service-profile.entity.ts';
import { UserDestinationSchema } from './user-destination.entity.ts';
import { UserSessionSchema } from './user-session.entity.ts';
import { UserSyncLogSchema } from './user-sync-log.entity.ts';
import { UserSchema } from './user.entity.ts';
import { VoiceCallSchema } from './voice-call.entity.ts';
import { VoiceScheduleSchema } from './voice-schedule.entity.ts';
import { VoiceSchema } from './voice.entity.ts';
import { WebhookEventSchema } from './webhook-event.entity.ts';

export const entities = [
  // users
  UserSchema,
  UserServiceProfileSchema,
  UserSyncLogSchema,
  UserSessionSchema,
  UserPrivacySettingsSchema,
  UserExportSchema,
  UserDestinationSchema,
  ErasedIdentitySchema,
  // chat
  ConversationSchema,
  MessageSchema,
  MemoryItemSchema,
  ConversationSummarySchema,
  SystemEventSchema,
  // voice
  VoiceSchema,
  VoiceCallSchema,
  VoiceScheduleSchema,
  CallSummarySchema,
  WebhookEventSchema,
  // scheduling
  ScheduleSchema,
  ScheduleExecutionSchema,
  // safety network
  SafetyContactSchema,
  ContactLogSchema,
  SafetyIncidentSchema,
  // engagement
  ActivityEventSchema,
  // infrastructure
  OutboxJobSchema,
];
