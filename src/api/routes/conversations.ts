// Chat ingest: conversations and their messages (user token; a user only ever sees their own → 404).
// A message and its memory-extraction job commit in one transaction (outbox), so no stored message ever
// misses its crisis check, even with Redis down.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MESSAGE_ROLES, MESSAGE_TYPES, SESSION_TYPES } from '../../domain/enums.ts';
import { Conversation } from '../../entities/conversation.entity.ts';
import { OutboxJob } from '../../entities/outbox-job.entity.ts';
import { User } from '../../entities/user.entity.ts';
import { MessageIngest } from '../../chat/message-ingest.ts';
import { conversationSummary } from '../../queues/conversation-summary.ts';
import { relayNow } from '../../queues/outbox-relay.ts';
import { enqueueInTransaction, outboxJobId } from '../../queues/producer.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { userAuth } from '../auth.ts';
import { Accepted, ErrorBody } from '../schemas.ts';

const errors = (...codes: (400 | 401 | 404 | 409 | 413)[]) =>
  Object.fromEntries(
    codes.map((c) => [c, { description: String(c), content: { 'application/json': { schema: ErrorBody } } }]),
  );
const IdParam = z.object({ id: z.uuid() });

const ConversationOut = z
  .object({
    id: z.uuid(),
    title: z.string().nullable(),
    description: z.string().nullable(),
    session_type: z.enum(SESSION_TYPES),
    status: z.string(),
    crisis_level: z.string(),
    message_count: z.number().int(),
    created_at: z.string(),
    last_message_at: z.string().nullable(),
  })
  .openapi('Conversation');

const toJson = (c: Conversation) => ({
  id: c.id,
  title: c.title ?? null,
  description: c.description ?? null,
  session_type: c.sessionType,
  status: c.status,
  crisis_level: c.crisisLevel,
  message_count: c.messageCount,
  created_at: c.createdAt.toISOString(),
  last_message_at: c.lastMessageAt?.toISOString() ?? null,
});

/** The caller's conversation, row-locked, or 404 (someone else's looks exactly like a missing one). */
async function lockOwnConversation(em: EntityManager, userId: string, id: string) {
  const conversation = await em.findOne(Conversation, { id, user: userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!conversation) throw new AppError('NOT_FOUND', 'no such conversation');
  return conversation;
}

export function conversationRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use('/v1/conversations', userAuth(deps.config));
  app.use('/v1/conversations/*', userAuth(deps.config));
  const maxChars = deps.config.CHAT_MAX_MESSAGE_CHARS;

  const create = createRoute({
    method: 'post',
    path: '/v1/conversations',
    summary: 'Start a conversation',
    security: [{ userToken: [] }],
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.object({
              title: z.string().max(200).optional(),
              description: z.string().max(2000).optional(),
              session_type: z.enum(SESSION_TYPES).optional(),
            }),
          },
        },
      },
    },
    responses: {
      201: { description: 'created', content: { 'application/json': { schema: ConversationOut } } },
      ...errors(400, 401, 409),
    },
  });
  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const em = c.var.em;
    if (!(await em.count(User, { id: c.var.user.id, deletedAt: null })))
      throw new AppError('CONFLICT', 'user not synced yet');
    const conversation = em.create(Conversation, {
      user: c.var.user.id,
      title: body.title ?? null,
      description: body.description ?? null,
      sessionType: body.session_type ?? 'chat',
    });
    await em.flush();
    return c.json(toJson(conversation), 201);
  });

  const MessageBody = z.object({
    content: z.string().trim().min(1).max(maxChars, `at most ${maxChars} characters`),
    role: z.enum(MESSAGE_ROLES),
    message_type: z.enum(MESSAGE_TYPES).optional(),
    model_used: z.string().max(100).optional(),
    tokens_used: z.number().int().min(0).optional(),
    response_time_ms: z.number().int().min(0).optional(),
  });
  const post = createRoute({
    method: 'post',
    path: '/v1/conversations/{id}/messages',
    summary: 'Add a message (crisis check and memory extraction follow)',
    security: [{ userToken: [] }],
    description: `content: 1 to CHAT_MAX_MESSAGE_CHARS (${maxChars}) characters (400 over it); request bodies over 256 KiB are refused with 413.`,
    request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: MessageBody } } } },
    responses: {
      202: {
        description: 'stored; extraction enqueued',
        content: { 'application/json': { schema: z.object({ message_id: z.uuid(), job_id: z.string() }) } },
      },
      ...errors(400, 401, 404, 409, 413),
    },
  });
  // Group commit (src/chat/message-ingest.ts): one statement stores a burst of messages with their jobs.
  const ingest = new MessageIngest(deps.orm.em, deps.producer);
  app.openapi(post, async (c) => {
    const body = c.req.valid('json');
    const { id } = c.req.valid('param');
    const result = await ingest.submit({
      conversationId: id,
      userId: c.var.user.id,
      content: body.content,
      role: body.role,
      messageType: body.message_type ?? 'text',
      modelUsed: body.model_used ?? null,
      tokensUsed: body.tokens_used ?? null,
      responseTimeMs: body.response_time_ms ?? null,
    });
    if (result.outcome === 'not_found') throw new AppError('NOT_FOUND', 'no such conversation');
    if (result.outcome === 'not_active') throw new AppError('CONFLICT', `conversation is ${result.status}`);
    return c.json({ message_id: result.messageId, job_id: result.jobId }, 202);
  });

  const end = createRoute({
    method: 'post',
    path: '/v1/conversations/{id}/end',
    summary: 'End a conversation and summarise it (idempotent)',
    security: [{ userToken: [] }],
    request: { params: IdParam },
    responses: {
      202: {
        description: 'ended; summary enqueued (the same job on a repeat)',
        content: { 'application/json': { schema: Accepted } },
      },
      ...errors(400, 401, 404),
    },
  });
  app.openapi(end, async (c) => {
    const { id } = c.req.valid('param');
    const em = c.var.em;
    const jobId = outboxJobId(conversationSummary, id);
    const job = await em.transactional(async (tx) => {
      const conversation = await lockOwnConversation(tx, c.var.user.id, id);
      const existing = await tx.findOne(OutboxJob, jobId);
      if (existing) return null;
      if (conversation.status === 'active') {
        conversation.status = 'ended';
        conversation.totalDurationMinutes = Math.ceil((Date.now() - conversation.createdAt.getTime()) / 60_000);
      }
      return enqueueInTransaction(tx, conversationSummary, { conversation_id: id }, { jobKey: id });
    });
    if (job) void relayNow(em, deps.producer, job);
    return c.json({ job_id: jobId }, 202);
  });
  return app;
}
