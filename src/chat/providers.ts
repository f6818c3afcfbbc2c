// The extraction and embedding providers the chat jobs and the memory search use, chosen from config:
// local by default (rule-based extraction, hashed embeddings); an OpenAI-compatible API when configured.
import { z } from 'zod';
import { getConfig, type Config } from '../config.ts';
import { assessCrisis, crisisLevelAtLeast } from '../domain/crisis.ts';
import { EMBEDDING_DIMENSIONS, localEmbeddingProvider, type EmbeddingProvider } from '../domain/embedding.ts';
import { MEMORY_TYPES, SIGNIFICANCE_CATEGORIES } from '../domain/enums.ts';
import {
  extractMemories,
  scoreCandidate,
  type MemoryCandidate,
  type ScoreWeights,
} from '../domain/memory-extraction.ts';
import {
  summarizeConversation,
  type ConversationSummaryDraft,
  type SummaryMessage,
} from '../domain/conversation-summary.ts';
import { type CrisisDetector, crisisDetectorFrom } from './crisis-detector.ts';
import { openAiCompatible, ProviderError } from './openai-compatible.ts';

export interface MemoryExtractor {
  /** Recorded in extraction_metadata.extractor (with the fallback reason when the model failed). */
  extract(text: string): Promise<{ candidates: MemoryCandidate[]; extractor: string }>;
}

export interface ConversationSummarizer {
  /** Crisis indicators always come from the messages (the detector), never from a model. */
  summarize(messages: readonly SummaryMessage[]): Promise<{ draft: ConversationSummaryDraft; summarizer: string }>;
}

export interface ChatProviders {
  crisis: CrisisDetector;
  extractor: MemoryExtractor;
  summarizer: ConversationSummarizer;
  embedder: EmbeddingProvider;
  weights: ScoreWeights;
  recencyHalfLifeDays: number;
}

const score = z.number().min(0).max(1);
/** What the model must answer; anything else is rejected whole (never partly stored). */
export const LlmExtraction = z.object({
  memories: z
    .array(
      z.object({
        content: z.string().trim().min(3).max(500),
        memory_type: z.enum(MEMORY_TYPES),
        significance_category: z.enum(SIGNIFICANCE_CATEGORIES),
        relevance_score: score,
        stability_score: score,
        explicitness_score: score,
        slot: z.string().max(50).nullish(),
        value: z.string().max(100).nullish(),
      }),
    )
    .max(10),
});

export const EXTRACTION_PROMPT = `You extract durable memories about the user from one chat message of a mental-health companion app.
Answer with JSON only: {"memories": [{"content", "memory_type", "significance_category", "relevance_score", "stability_score", "explicitness_score", "slot", "value"}]}.
memory_type: ${MEMORY_TYPES.join(', ')}. significance_category: ${SIGNIFICANCE_CATEGORIES.join(', ')}.
Scores in [0,1]: relevance (useful in later conversations), stability (how long it stays true), explicitness (1 = stated, lower = inferred).
slot/value only for single-valued facts (home_city, occupation, employer, name, age), else null. Keep placeholders like [EMAIL] as they are.
Chit-chat, questions and greetings give {"memories": []}.`;

function rulesExtractor(weights: ScoreWeights, label = 'rules'): MemoryExtractor {
  return { extract: async (text) => ({ candidates: extractMemories(text, weights), extractor: label }) };
}

function llmExtractor(
  client: ReturnType<typeof openAiCompatible>,
  model: string,
  weights: ScoreWeights,
): MemoryExtractor {
  return {
    async extract(text) {
      let reason: string;
      try {
        const parsed = LlmExtraction.safeParse(await client.chatJson(model, EXTRACTION_PROMPT, text));
        if (parsed.success) {
          const candidates = parsed.data.memories
            // Crisis content is handled by the crisis path, never kept as a memory (same rule as the extractor).
            .filter((m) => !crisisLevelAtLeast(assessCrisis(m.content).level, 'medium'))
            .map((m) =>
              scoreCandidate(
                {
                  content: m.content,
                  memoryType: m.memory_type,
                  significanceCategory: m.significance_category,
                  relevanceScore: m.relevance_score,
                  stabilityScore: m.stability_score,
                  explicitnessScore: m.explicitness_score,
                  ...(m.slot && m.value ? { slot: m.slot.toLowerCase(), value: m.value.toLowerCase() } : {}),
                },
                weights,
              ),
            );
          return { candidates, extractor: `llm:${model}` };
        }
        reason = 'output failed the schema';
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        reason = err.message;
      }
      return rulesExtractor(weights, `rules (llm fallback: ${reason})`).extract(text);
    },
  };
}

const LlmSummary = z.object({
  summary: z.string().trim().min(1).max(2000),
  key_topics: z.array(z.string().max(60)).max(10),
  emotional_themes: z.array(z.string().max(60)).max(10),
  action_items: z.array(z.string().max(300)).max(10),
  sentiment_overall: z.number().min(-1).max(1),
  therapeutic_progress: z.string().max(1000),
});

export const SUMMARY_PROMPT = `Summarise this conversation between a user and a mental-health companion for the companion's notes.
Answer with JSON only: {"summary", "key_topics": [], "emotional_themes": [], "action_items": [], "sentiment_overall": -1..1, "therapeutic_progress"}.
Keep placeholders like [EMAIL] as they are; do not add facts that are not in the conversation.`;

function llmSummarizer(client: ReturnType<typeof openAiCompatible>, model: string): ConversationSummarizer {
  return {
    async summarize(messages) {
      const rules = summarizeConversation(messages);
      let reason: string;
      try {
        const transcript = messages.map((m) => `${m.role}: ${m.text}`).join('\n');
        const parsed = LlmSummary.safeParse(await client.chatJson(model, SUMMARY_PROMPT, transcript));
        if (parsed.success) {
          const d = parsed.data;
          return {
            draft: {
              summary: d.summary,
              keyTopics: d.key_topics,
              emotionalThemes: d.emotional_themes,
              actionItems: d.action_items,
              sentimentOverall: d.sentiment_overall,
              therapeuticProgress: d.therapeutic_progress,
              crisisIndicators: rules.crisisIndicators,
            },
            summarizer: `llm:${model}`,
          };
        }
        reason = 'output failed the schema';
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        reason = err.message;
      }
      return { draft: rules, summarizer: `rules (llm fallback: ${reason})` };
    },
  };
}

const rulesSummarizer: ConversationSummarizer = {
  summarize: async (messages) => ({ draft: summarizeConversation(messages), summarizer: 'rules' }),
};

function llmEmbedder(client: ReturnType<typeof openAiCompatible>, model: string): EmbeddingProvider {
  return {
    name: `llm:${model}`,
    async embed(texts) {
      if (texts.length === 0) return [];
      const vectors = await client.embeddings(model, texts);
      for (const v of vectors) {
        if (v.length !== EMBEDDING_DIMENSIONS || !v.every(Number.isFinite)) {
          throw new ProviderError(`/embeddings: expected ${EMBEDDING_DIMENSIONS} finite values, got ${v.length}`);
        }
      }
      // Normalise, so the dot product is the cosine whatever the provider returns.
      return vectors.map((v) => {
        const norm = Math.hypot(...v) || 1;
        return v.map((x) => x / norm);
      });
    },
  };
}

export function chatProvidersFrom(config: Config): ChatProviders {
  const weights = {
    relevance: config.MEMORY_WEIGHT_RELEVANCE,
    stability: config.MEMORY_WEIGHT_STABILITY,
    explicitness: config.MEMORY_WEIGHT_EXPLICITNESS,
  };
  const client = config.LLM_BASE_URL
    ? openAiCompatible({ baseUrl: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY, timeoutMs: config.LLM_TIMEOUT_MS })
    : undefined;
  return {
    crisis: crisisDetectorFrom(config),
    extractor:
      client && config.LLM_CHAT_MODEL ? llmExtractor(client, config.LLM_CHAT_MODEL, weights) : rulesExtractor(weights),
    summarizer: client && config.LLM_CHAT_MODEL ? llmSummarizer(client, config.LLM_CHAT_MODEL) : rulesSummarizer,
    embedder:
      client && config.LLM_EMBEDDING_MODEL ? llmEmbedder(client, config.LLM_EMBEDDING_MODEL) : localEmbeddingProvider,
    weights,
    recencyHalfLifeDays: config.MEMORY_RECENCY_HALF_LIFE_DAYS,
  };
}

let configured: ChatProviders | undefined;
/** The providers of this process's config (built on first use). */
export const configuredChatProviders = (): ChatProviders => (configured ??= chatProvidersFrom(getConfig()));
