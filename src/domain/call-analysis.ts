// Turns Vapi's call analysis (analysis.summary, .structuredData, .successEvaluation) into a call_summaries
// row, and the text the shared crisis detector reads (the summary and emotional state, written about the
// user: third person). Never sees the transcript: it is stripped on arrival. Pure.
import { SENTIMENT_LABELS, type SentimentLabel } from './enums.ts';

export interface CallAnalysis {
  summaryJson: Record<string, unknown>;
  sentiment: SentimentLabel | null;
  keyTopics: string[];
  actionItems: string[];
  emotionalState: string | null;
  /** What the crisis detector assesses, in its third-person mode; '' when the report has neither. */
  crisisText: string;
}

const text = (v: unknown, max = 2_000) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : null);
const strings = (v: unknown) =>
  Array.isArray(v)
    ? v
        .map((x) => text(x, 200))
        .filter((x): x is string => x !== null)
        .slice(0, 20)
    : [];

/**
 * Reads the analysis an assistant's analysisPlan produced. structuredData is free-form; the keys read here
 * (sentiment, key_topics, action_items, emotional_state, camelCase accepted) are what our assistants'
 * structuredDataPlan asks for.
 * @example summarizeCallAnalysis({ summary: 'Talked about sleep.' }).crisisText // 'Talked about sleep.'
 */
export function summarizeCallAnalysis(analysis: unknown): CallAnalysis {
  const a = (analysis && typeof analysis === 'object' ? analysis : {}) as Record<string, unknown>;
  const data = (a.structuredData && typeof a.structuredData === 'object' ? a.structuredData : {}) as Record<
    string,
    unknown
  >;
  const summary = text(a.summary, 10_000);
  const sentimentRaw = text(data.sentiment)?.toLowerCase();
  const sentiment = (SENTIMENT_LABELS as readonly string[]).includes(sentimentRaw ?? '')
    ? (sentimentRaw as SentimentLabel)
    : null;
  const emotionalState = text(data.emotional_state ?? data.emotionalState, 200);
  return {
    summaryJson: {
      summary,
      success_evaluation: text(a.successEvaluation, 500),
      structured_data: data,
    },
    sentiment,
    keyTopics: strings(data.key_topics ?? data.keyTopics),
    actionItems: strings(data.action_items ?? data.actionItems),
    emotionalState,
    crisisText: [summary, emotionalState].filter(Boolean).join('\n'),
  };
}
