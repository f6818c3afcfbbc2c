// The OpenAI-compatible extraction and embeddings paths against a real HTTP server on 127.0.0.1 that
// speaks the API's request and response shapes, including a model that answers malformed JSON.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestPlatform, type TestPlatform } from '../support/platform.ts';
import { chatProvidersFrom } from '../../src/chat/providers.ts';
import { localEmbedding } from '../../src/domain/embedding.ts';
import { MemoryItem } from '../../src/entities/memory-item.entity.ts';
import { Message } from '../../src/entities/message.entity.ts';
import { memoryExtractionProcessor } from '../../src/workers/memory-extraction.ts';
import { conversationSummaryProcessor } from '../../src/workers/conversation-summary.ts';
import { ConversationSummary } from '../../src/entities/conversation-summary.entity.ts';
import type { JobContext } from '../../src/workers/context.ts';
import { chatUser, newConversation, postMessage, type ChatUser } from './helpers.ts';

type ChatMode = 'ok' | 'malformed' | 'schema' | 'http500';
let chatMode: ChatMode = 'ok';
let embedDims = 1536;
/** The part of a request body the tests read (chat completions carry messages; embeddings carry input). */
type SeenBody = { messages?: { role: string; content: string }[] } & Record<string, unknown>;
const seen: { path: string; auth: string | undefined; body: SeenBody }[] = [];

const server: Server = createServer((req, res) => {
  let raw = '';
  req.on('data', (c) => (raw += c));
  req.on('end', () => {
    const body = JSON.parse(raw);
    seen.push({ path: req.url!, auth: req.headers.authorization, body });
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.url === '/v1/embeddings') {
      return json(200, {
        object: 'list',
        model: body.model,
        data: body.input.map((t: string, index: number) => ({
          object: 'embedding',
          index,
          embedding: localEmbedding(t)
            .slice(0, embedDims)
            .map((v) => v * 3),
        })),
      });
    }
    if (chatMode === 'http500') return json(500, { error: { message: `echo: ${body.messages[1].content}` } });
    if (String(body.messages[0].content).startsWith('Summarise')) {
      const summary =
        chatMode === 'ok'
          ? JSON.stringify({
              summary: 'The user talked about moving to Lisbon.',
              key_topics: ['moving'],
              emotional_themes: ['hope'],
              action_items: ['unpack'],
              sentiment_overall: 0.4,
              therapeutic_progress: 'settling in',
            })
          : '{"summary": "cut off';
      return json(200, {
        id: 'chatcmpl-2',
        object: 'chat.completion',
        model: body.model,
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: summary } }],
      });
    }
    const content = {
      ok: JSON.stringify({
        memories: [
          {
            content: 'The user lives in Lisbon',
            memory_type: 'personal_fact',
            significance_category: 'routine',
            relevance_score: 0.8,
            stability_score: 0.7,
            explicitness_score: 1,
            slot: 'home_city',
            value: 'Lisbon',
          },
        ],
      }),
      malformed: '{"memories": [{"content": "The user lives in Lis',
      schema: JSON.stringify({
        memories: [
          {
            content: 'garbage',
            memory_type: 'secret',
            significance_category: 'routine',
            relevance_score: 7,
            stability_score: 0.7,
            explicitness_score: 1,
          },
        ],
      }),
    }[chatMode];
    json(200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model: body.model,
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
    });
  });
});

let platform: TestPlatform;
let user: ChatUser;
let conversationId: string;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  platform = await createTestPlatform({
    LLM_BASE_URL: `http://127.0.0.1:${port}/v1`,
    LLM_API_KEY: 'sk-test-key',
    LLM_CHAT_MODEL: 'test-chat',
    LLM_EMBEDDING_MODEL: 'test-embed',
    LLM_TIMEOUT_MS: '2000',
  });
  user = await chatUser(platform);
  conversationId = await newConversation(platform, user);
});
afterAll(async () => {
  await platform.close();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  seen.length = 0;
  chatMode = 'ok';
  embedDims = 1536;
});

const em = () => platform.orm.em.fork();
const process = memoryExtractionProcessor(() => chatProvidersFrom(platform.config));
const run = (messageId: string) =>
  process({ message_id: messageId }, {
    em: em(),
    log: platform.log,
    queue: 'memory-extraction',
    jobId: 'llm-test',
    attempt: 1,
    producer: platform.producer,
  } as JobContext);

describe('OpenAI-compatible providers', () => {
  it('uses the model when it answers valid JSON; it only ever sees the redacted text', async () => {
    const { message_id } = await postMessage(
      platform,
      user,
      conversationId,
      'I live in Lisbon now, mail me at ana@example.com',
    );
    await run(message_id);
    const chat = seen.find((s) => s.path === '/v1/chat/completions')!;
    expect(chat.auth).toBe('Bearer sk-test-key');
    expect(chat.body).toMatchObject({ model: 'test-chat', response_format: { type: 'json_object' } });
    expect(chat.body.messages?.[1]?.content).toBe('I live in Lisbon now, mail me at [EMAIL]');
    const [memory] = await em().find(MemoryItem, { message: message_id });
    expect(memory).toMatchObject({
      content: 'The user lives in Lisbon',
      memoryType: 'personal_fact',
      extractionMetadata: {
        extractor: 'llm:test-chat',
        embedder: 'llm:test-embed',
        slot: 'home_city',
        value: 'lisbon',
      },
    });
    expect(Math.hypot(...memory!.embedding!)).toBeCloseTo(1, 4); // normalised, whatever the provider's scale
  });

  it.each([
    ['malformed', 'message content is not JSON', 'baking bread on Sundays'],
    ['schema', 'output failed the schema', 'playing chess with strangers'],
    ['http500', 'HTTP 500', 'swimming in cold lakes'],
  ] as const)(
    'falls back to the rules when the model answers %s, and stores none of its output',
    async (mode, reason, hobby) => {
      chatMode = mode;
      const { message_id } = await postMessage(platform, user, conversationId, `I really love ${hobby}.`);
      await run(message_id);
      const memories = await em().find(MemoryItem, { message: message_id });
      expect(memories).toHaveLength(1);
      expect(memories[0]!.content).toBe(`I really love ${hobby}.`);
      expect(String(memories[0]!.extractionMetadata.extractor)).toContain(reason);
      expect(String(memories[0]!.extractionMetadata.extractor)).not.toContain(hobby); // no echo of user text
    },
  );

  it('embeddings of the wrong size fail the job clearly; nothing is stored, but the crisis check has committed', async () => {
    embedDims = 3;
    chatMode = 'malformed'; // rules extract: the crisis sentence is never a memory, the hobby is
    const { message_id } = await postMessage(
      platform,
      user,
      conversationId,
      'I want to die. I really love knitting scarves.',
    );
    await expect(run(message_id)).rejects.toThrow(/expected 1536 finite values, got 3/);
    expect(await em().findOneOrFail(Message, message_id)).toMatchObject({
      memoryExtracted: false,
      requiresIntervention: true,
    });
    expect(await em().count(MemoryItem, { message: message_id })).toBe(0);
    embedDims = 1536;
    await run(message_id); // the retry succeeds once the provider behaves
    expect(await em().findOneOrFail(Message, message_id)).toMatchObject({
      memoryExtracted: true,
      memoryItemsCreated: 1,
    });
  });

  it.each([
    ['ok', 'llm:test-chat', 'The user talked about moving to Lisbon.'],
    ['malformed', 'rules (llm fallback: /chat/completions: message content is not JSON)', undefined],
  ] as const)(
    'summaries: the model when it answers valid JSON (%s), else the rules; crisis cues always from the detector',
    async (mode, summarizer, summary) => {
      chatMode = mode;
      const conv = await newConversation(platform, user);
      const { message_id } = await postMessage(
        platform,
        user,
        conv,
        "I can't take it anymore. Email me at ana@example.com",
      );
      await run(message_id);
      const summarize = conversationSummaryProcessor(() => chatProvidersFrom(platform.config));
      await summarize({ conversation_id: conv }, {
        em: em(),
        log: platform.log,
        queue: 'conversation-summary',
        jobId: `summary-${mode}`,
        attempt: 1,
        producer: platform.producer,
      } as JobContext);
      const row = await em().findOneOrFail(ConversationSummary, { conversation: conv });
      expect(row.summaryMetadata.summarizer).toBe(summarizer);
      // The detector's cues for the message (lexicon and sentence model), never the summariser's.
      const detected = (await em().findOneOrFail(Message, message_id)).crisisIndicators;
      expect(detected).toContain('cant_go_on');
      expect(row.crisisIndicators).toEqual(detected);
      if (summary) expect(row).toMatchObject({ summary, keyTopics: ['moving'], sentimentOverall: 0.4 });
      const sent = seen.filter((x) => x.path === '/v1/chat/completions').at(-1)!;
      expect(sent.body.messages?.[1]?.content).toContain('[EMAIL]');
      expect(sent.body.messages?.[1]?.content).not.toContain('ana@example.com');
    },
  );
});
