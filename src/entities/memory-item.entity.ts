// A memory extracted from a conversation. It outlives the message and conversation it came from
// (retention may purge chat logs while a consented long-term memory stays), so those FKs set null.
import { defineEntity, p } from '@mikro-orm/core';
import { MEMORY_TYPES, SIGNIFICANCE_CATEGORIES, SIGNIFICANCE_LEVELS, STORAGE_TYPES } from '../domain/enums.ts';
import type { PiiKind } from '../domain/enums.ts';
import { createdAt, generatedId, jsonList, jsonObject, score, updatedAt } from './base.entity.ts';
import { Conversation } from './conversation.entity.ts';
import { Message } from './message.entity.ts';
import { User } from './user.entity.ts';

export const MemoryItemSchema = defineEntity({
  name: 'MemoryItem',
  tableName: 'memory_items',
  indexes: [
    { name: 'memory_items_active_user_idx', properties: ['user'], where: { isActive: true } },
    // The partial index cannot serve the cascade from users (it must find inactive rows too).
    { name: 'memory_items_user_created_idx', properties: ['user', 'createdAt'] },
    { name: 'memory_items_conversation_idx', properties: ['conversation'] },
    { name: 'memory_items_message_idx', properties: ['message'] },
    // The full-text side of hybrid retrieval (src/chat/memory-search.ts).
    { name: 'memory_items_search_idx', properties: ['searchVector'], type: 'fulltext' },
    // The re-embed job's scan for vectors of another model.
    { name: 'memory_items_embedding_model_idx', properties: ['embeddingModel', 'id'] },
  ],
  properties: {
    id: generatedId(),
    user: p.manyToOne(User).deleteRule('cascade'),
    conversation: p.manyToOne(Conversation).nullable().deleteRule('set null'),
    message: p.manyToOne(Message).nullable().deleteRule('set null'),
    content: p.text(),
    processedContent: p.text().nullable(),
    memoryType: p.enum(MEMORY_TYPES),
    storageType: p.enum(STORAGE_TYPES).default('short_term'),
    significanceLevel: p.enum(SIGNIFICANCE_LEVELS).default('low'),
    significanceCategory: p.enum(SIGNIFICANCE_CATEGORIES).nullable(),
    relevanceScore: score('relevance_score'),
    stabilityScore: score('stability_score'),
    explicitnessScore: score('explicitness_score'),
    compositeScore: score('composite_score'),
    /**
     * float4[] of embedding_dimensions values in the space of embedding_model; null until embedded. Read
     * back as float32 values (Math.fround), so a stored vector equals `Array.from(new Float32Array(written))`.
     * Vectors of different models are never compared (the re-embed job moves old ones to the current model).
     */
    embedding: p
      .array<number>((v) => Math.fround(Number(v)))
      .columnType('real[]')
      .nullable()
      .lazy()
      .check(
        '(embedding is null and embedding_model is null and embedding_dimensions is null) or (embedding_model is not null and cardinality(embedding) = embedding_dimensions)',
      ),
    /** The model that made `embedding` (e.g. use-lite-512, local-hash-v1, llm:text-embedding-3-small). */
    embeddingModel: p.text().nullable(),
    embeddingDimensions: p.integer().nullable(),
    /**
     * The same vector, compact, for search: a float32 scale then one int8 per dimension (quantized.ts).
     * 516 bytes at 512 dimensions instead of ~6 KB of real[] text, so a first search reads a user's
     * thousands of vectors in one short query.
     */
    embeddingQ: p
      .type('blob')
      .columnType('bytea')
      .nullable()
      .lazy()
      .check('embedding_q is null or length(embedding_q) = 4 + embedding_dimensions'),
    /** English full-text vector of content, kept by PostgreSQL (generated), for exact names in a query. */
    searchVector: p
      .type('tsvector')
      .columnType('tsvector')
      .generated("(to_tsvector('english', content)) stored")
      .nullable()
      .lazy(),
    /** Kinds of PII found in content; [] = none found. */
    piiDetected: jsonList<PiiKind>('pii_detected'),
    userConsent: p.boolean().default(false),
    anonymizedVersion: p.text().nullable(),
    extractionMetadata: jsonObject(),
    tags: jsonList<string>('tags'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    lastAccessedAt: p.datetime().nullable(),
    isActive: p.boolean().default(true),
    isArchived: p.boolean().default(false),
  },
});
export class MemoryItem extends MemoryItemSchema.class {}
MemoryItemSchema.setClass(MemoryItem);
