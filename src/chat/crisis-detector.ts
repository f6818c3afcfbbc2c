// The crisis detector the chat and voice paths call: the lexicon, the sentence model's head over the
// text's segments, and (when LLM_BASE_URL + LLM_CHAT_MODEL are set) an LLM classification, combined by
// combineCrisis, which never lowers a level.
// The model is English-only: text that franc reads as another language is flagged at a lower threshold,
// and goes to the LLM as well when one is configured.
// Failure: an LLM error or a malformed answer only drops the LLM's vote. A sentence model that cannot run
// is reported in `modelError`; the caller decides (the chat job retries, and decides without the model on
// its last attempt, so a crisis signal found by the lexicon is never held back).
import { franc } from 'franc-min';
import { z } from 'zod';
import { type Config, getConfig } from '../config.ts';
import {
  type CrisisAssessment,
  CRISIS_CATEGORIES,
  assessCrisis,
  crisisContext,
  normalizeForCrisis,
  toFirstPerson,
} from '../domain/crisis.ts';
import { combineCrisis, type SourceVerdict } from '../domain/crisis-ensemble.ts';
import { type CrisisHead, compileHead, crisisFeatures, modelLevel, scoreSegments } from '../domain/crisis-model.ts';
import { CRISIS_LEVELS } from '../domain/enums.ts';
import { redactPii } from '../domain/pii.ts';
import { type SentenceEncoder, sentenceEncoder } from '../ml/sentence-encoder.ts';
import head from '../domain/crisis-head.json' with { type: 'json' };
import { openAiCompatible, ProviderError } from './openai-compatible.ts';

export type Perspective = 'first_person' | 'third_person';

export interface CrisisDetection extends CrisisAssessment {
  english: boolean;
  /** Why the sentence model gave no vote (its thread failed); undefined when it voted. */
  modelError?: string;
}

export interface CrisisDetector {
  detect(text: string, options?: { perspective?: Perspective }): Promise<CrisisDetection>;
}

/** At most this many sentences are scored one by one (the whole text always is). */
const MAX_SEGMENTS = 12;
const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** The whole text, then each sentence of it (when there is more than one). */
export function crisisSegments(text: string): string[] {
  const sentences = [...segmenter.segment(text)].map((s) => s.segment.trim()).filter(Boolean);
  return sentences.length > 1 ? [text, ...sentences.slice(0, MAX_SEGMENTS)] : [text];
}

/** franc needs some text to judge; short messages are taken as English. */
export function looksEnglish(text: string): boolean {
  const lang = franc(text, { minLength: 24 });
  return lang === 'und' || lang === 'eng' || lang === 'sco';
}

export const CRISIS_PROMPT = `You screen one message sent to a mental-health companion app for crisis signals about the writer.
Answer with JSON only: {"level": "none"|"low"|"medium"|"high"|"critical", "category": ${CRISIS_CATEGORIES.map((c) => `"${c}"`).join('|')}|null}.
critical: intent with a plan, means, a time, or an act in progress (an overdose taken). high: suicidal thoughts (also passive wishes to be dead), self-harm urges or recent self-harm, intent to hurt someone, not safe. medium: acute distress or panic now, can't go on. low: strain.
Idioms, jokes, negations, fiction, news, other people's words and past experiences the writer has recovered from are "none".`;

const LlmVerdict = z.object({
  level: z.enum(CRISIS_LEVELS),
  category: z.enum(CRISIS_CATEGORIES).nullable(),
});

let compiled: CrisisHead | undefined;
const compiledHead = () => (compiled ??= compileHead(head as unknown as CrisisHead));

export function crisisDetectorFrom(config: Config, encoder: SentenceEncoder = sentenceEncoder()): CrisisDetector {
  const crisisHead = compiledHead();
  const client = config.LLM_BASE_URL
    ? openAiCompatible({ baseUrl: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY, timeoutMs: config.LLM_TIMEOUT_MS })
    : undefined;
  const llmModel = config.LLM_CHAT_MODEL;

  async function llmVote(text: string): Promise<SourceVerdict | undefined> {
    if (!client || !llmModel) return undefined;
    try {
      const parsed = LlmVerdict.safeParse(await client.chatJson(llmModel, CRISIS_PROMPT, text));
      if (!parsed.success) return undefined;
      return { level: parsed.data.level, category: parsed.data.category ?? 'acute_distress' };
    } catch (err) {
      if (err instanceof ProviderError) return undefined;
      throw err;
    }
  }

  return {
    async detect(text, options = {}) {
      const thirdPerson = options.perspective === 'third_person';
      const lexicon = assessCrisis(text, options);
      const english = looksEnglish(text);
      const modelText = thirdPerson ? toFirstPerson(normalizeForCrisis(text)) : text;
      const segments = crisisSegments(modelText);
      const [vectors, llm] = await Promise.all([
        encoder.embed(segments).catch((err: Error) => err),
        // The provider sees the redacted text only, as for extraction: placeholders carry no crisis signal.
        llmVote(redactPii(text).text),
      ]);
      let model: SourceVerdict | undefined;
      let modelError: string | undefined;
      if (vectors instanceof Error) modelError = vectors.message;
      else {
        const features = vectors.map((v, i) => crisisFeatures(crisisHead, v, segments[i]!));
        const verdict = scoreSegments(crisisHead, features);
        model = { level: modelLevel(verdict, crisisHead.thresholds, english), category: verdict.category };
      }
      // A summary reports the user's words in the third person: its denials and past are the user's own, but
      // read by a second person; only first-person text holds the model at medium on them.
      const context = thirdPerson ? [] : crisisContext(text);
      return { ...combineCrisis({ lexicon, model, llm, context }), english, ...(modelError ? { modelError } : {}) };
    },
  };
}

let configured: CrisisDetector | undefined;
/** The detector of this process's config (built on first use). */
export const configuredCrisisDetector = (): CrisisDetector => (configured ??= crisisDetectorFrom(getConfig()));
