// The user's memories: ranked search, consent/archive, delete (user token; own rows only → 404).
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { chatProvidersFrom } from '../../chat/providers.ts';
import { MemorySearch } from '../../chat/memory-search.ts';
import { MEMORY_TYPES } from '../../domain/enums.ts';
import { embeddingText, MAX_TAG_LENGTH, MAX_TAGS, normalizeTag, uniqueTags } from '../../domain/memory-tags.ts';
import { vectorColumns } from '../../domain/quantized.ts';
import { MemoryItem } from '../../entities/memory-item.entity.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { userAuth } from '../auth.ts';
import { ErrorBody } from '../schemas.ts';

const err = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });
const IdParam = z.object({ id: z.uuid() });

const MemoryOut = z
  .object({
    id: z.uuid(),
    content: z.string(),
    memory_type: z.enum(MEMORY_TYPES),
    storage_type: z.string(),
    significance_level: z.string(),
    significance_category: z.string().nullable(),
    relevance_score: z.number().nullable(),
    stability_score: z.number().nullable(),
    explicitness_score: z.number().nullable(),
    composite_score: z.number().nullable(),
    user_consent: z.boolean(),
    is_archived: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
    last_accessed_at: z.string().nullable(),
    tags: z.array(z.string()).openapi({ description: 'what the memory is about: its topic first, then what it names' }),
    score: z.number().optional(),
  })
  .openapi('Memory');

// The columns the API shows (the embedding is never loaded here).
type MemoryRow = Pick<
  MemoryItem,
  | 'id'
  | 'content'
  | 'memoryType'
  | 'storageType'
  | 'significanceLevel'
  | 'significanceCategory'
  | 'relevanceScore'
  | 'stabilityScore'
  | 'explicitnessScore'
  | 'compositeScore'
  | 'userConsent'
  | 'isArchived'
  | 'createdAt'
  | 'updatedAt'
  | 'lastAccessedAt'
  | 'tags'
>;
const toJson = (m: MemoryRow, score?: number) => ({
  id: m.id,
  content: m.content,
  memory_type: m.memoryType,
  storage_type: m.storageType,
  significance_level: m.significanceLevel,
  significance_category: m.significanceCategory ?? null,
  relevance_score: m.relevanceScore ?? null,
  stability_score: m.stabilityScore ?? null,
  explicitness_score: m.explicitnessScore ?? null,
  composite_score: m.compositeScore ?? null,
  user_consent: m.userConsent,
  is_archived: m.isArchived,
  created_at: m.createdAt.toISOString(),
  updated_at: m.updatedAt.toISOString(),
  last_accessed_at: m.lastAccessedAt?.toISOString() ?? null,
  tags: m.tags,
  ...(score === undefined ? {} : { score: Math.round(score * 10_000) / 10_000 }),
});

const list = createRoute({
  method: 'get',
  path: '/v1/memories',
  summary: "The caller's active memories, ranked for a query",
  security: [{ userToken: [] }],
  description:
    'rank = relevance × (0.5 + 0.5·composite) × (0.5 + 0.5·recency), relevance = min(1, cosine of the sentence vectors + 0.3 × share of the query words in the memory); without a query, relevance = 1. Marks the returned memories accessed.',
  request: {
    query: z.object({
      query: z.string().trim().min(1).max(1000).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(20),
      type: z.enum(MEMORY_TYPES).optional(),
      tag: z
        .string()
        .trim()
        .min(1)
        .max(MAX_TAG_LENGTH)
        .optional()
        .openapi({ description: 'only memories with this tag (compared in lower case)' }),
    }),
  },
  responses: {
    200: {
      description: 'ranked memories',
      content: { 'application/json': { schema: z.object({ memories: z.array(MemoryOut) }) } },
    },
    400: err('invalid query'),
    401: err('no valid token'),
  },
});

const patch = createRoute({
  method: 'patch',
  path: '/v1/memories/{id}',
  summary: 'Give or withdraw consent, archive or restore a memory, or replace its tags',
  security: [{ userToken: [] }],
  request: {
    params: IdParam,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              user_consent: z.boolean().optional(),
              is_archived: z.boolean().optional(),
              tags: z
                .array(
                  z
                    .string()
                    .max(MAX_TAG_LENGTH)
                    .refine((t) => normalizeTag(t) !== '', 'a tag needs a letter or a digit'),
                )
                .max(MAX_TAGS)
                .optional()
                .openapi({ description: `replaces the tags (lower-cased; at most ${MAX_TAGS})` }),
            })
            .strict()
            .refine(
              (b) => b.user_consent !== undefined || b.is_archived !== undefined || b.tags !== undefined,
              'give user_consent, is_archived or tags',
            ),
        },
      },
    },
  },
  responses: {
    200: { description: 'updated', content: { 'application/json': { schema: MemoryOut } } },
    400: err('invalid input'),
    401: err('no valid token'),
    404: err('no such memory'),
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/memories/{id}',
  summary: 'Delete a memory for good',
  security: [{ userToken: [] }],
  request: { params: IdParam },
  responses: {
    204: { description: 'deleted' },
    400: err('invalid id'),
    401: err('no valid token'),
    404: err('no such memory'),
  },
});

export function memoryRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const providers = chatProvidersFrom(deps.config);
  const search = new MemorySearch(providers.embedder);
  app.use('/v1/memories', userAuth(deps.config));
  app.use('/v1/memories/*', userAuth(deps.config));

  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const found = await search.search(c.var.em, c.var.user.id, {
      query: q.query,
      type: q.type,
      tag: q.tag,
      limit: q.limit,
      halfLifeDays: providers.recencyHalfLifeDays,
    });
    return c.json({ memories: found.map((f) => toJson(f.memory, f.score)) }, 200);
  });

  app.openapi(patch, async (c) => {
    const body = c.req.valid('json');
    const em = c.var.em;
    const memory = await em.findOne(MemoryItem, { id: c.req.valid('param').id, user: c.var.user.id });
    if (!memory) throw new AppError('NOT_FOUND', 'no such memory');
    if (body.user_consent !== undefined) memory.userConsent = body.user_consent;
    if (body.is_archived !== undefined) memory.isArchived = body.is_archived;
    if (body.tags !== undefined) {
      const tags = uniqueTags(body.tags);
      // The topic (first tag) is part of the embedded text: a new topic gets a new vector.
      if (tags[0] !== memory.tags[0]) {
        const [vector] = await providers.embedder.embed([embeddingText(memory.content, tags)]);
        Object.assign(memory, vectorColumns(providers.embedder.name, vector!));
      }
      memory.tags = tags;
    }
    await em.flush();
    return c.json(toJson(memory), 200);
  });

  app.openapi(remove, async (c) => {
    const deleted = await c.var.em.nativeDelete(MemoryItem, { id: c.req.valid('param').id, user: c.var.user.id });
    if (deleted === 0) throw new AppError('NOT_FOUND', 'no such memory');
    search.forget(c.var.user.id);
    return c.body(null, 204);
  });
  return app;
}
