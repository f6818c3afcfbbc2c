// Rule-based conversation summary (the default when no model is configured). Pure. Works on the
// PII-processed text of each message, so a summary never holds what redaction removed.
import { sentimentScore } from './sentiment.ts';
import { splitSentences } from './memory-extraction.ts';

export interface SummaryMessage {
  role: 'user' | 'assistant' | 'system';
  /** processed_content when present, else content. */
  text: string;
  crisisIndicators: readonly string[];
}

export interface ConversationSummaryDraft {
  summary: string;
  keyTopics: string[];
  emotionalThemes: string[];
  actionItems: string[];
  sentimentOverall: number;
  crisisIndicators: string[];
  therapeuticProgress: string;
}

const THEMES: Record<string, RegExp> = {
  anxiety: /\b(anxious|anxiety|panic\w*|worr\w+|nervous|on edge)\b/i,
  sadness: /\b(sad|down|low|cry\w*|depress\w*|empty|numb)\b/i,
  loneliness: /\b(lonely|alone|isolated|no friends)\b/i,
  stress: /\b(stress\w*|overwhelm\w*|burn(ed|t)? out|pressure)\b/i,
  anger: /\b(angry|anger|furious|rage|irritat\w+|frustrat\w+)\b/i,
  grief: /\b(grie\w+|passed away|funeral|lost my|miss (him|her|them))\b/i,
  hope: /\b(hope\w*|grateful|thankful|proud|better|optimistic)\b/i,
};
const ACTION =
  /\b(i will|i'll|i'm going to|i am going to|i plan to|i want to|i'm trying to|i should|next time i|tomorrow i)\b/i;
const STOP = new Set(
  "about after again also always because been being could didn't doesn't don't even every feel feeling felt from going have just know like little more much really should some still than that their them then there these they thing things think this those today very want what when which while will with would your yeah okay maybe sometimes something anything nothing everything".split(
    ' ',
  ),
);

function topWords(texts: readonly string[], n: number): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) {
    for (const w of t.toLowerCase().match(/[a-z][a-z']{3,}/g) ?? [])
      if (!STOP.has(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([w]) => w);
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export function summarizeConversation(messages: readonly SummaryMessage[]): ConversationSummaryDraft {
  const user = messages.filter((m) => m.role === 'user').map((m) => m.text);
  const all = user.join('\n');
  const keyTopics = topWords(user, 5);
  const emotionalThemes = Object.entries(THEMES)
    .filter(([, re]) => re.test(all))
    .map(([theme]) => theme);
  const actionItems = user
    .flatMap(splitSentences)
    .filter((s) => ACTION.test(s))
    .slice(0, 5);
  const sentiments = user.map(sentimentScore);
  const sentimentOverall = Math.round(mean(sentiments) * 1000) / 1000;
  const crisisIndicators = [...new Set(messages.flatMap((m) => m.crisisIndicators))];
  const half = Math.floor(sentiments.length / 2);
  const shift = mean(sentiments.slice(half)) - mean(sentiments.slice(0, half));
  const therapeuticProgress =
    sentiments.length < 2
      ? 'too short to judge'
      : shift > 0.15
        ? 'mood improved over the conversation'
        : shift < -0.15
          ? 'mood declined over the conversation'
          : 'mood steady over the conversation';
  const parts = [
    `${messages.length} messages (${user.length} from the user).`,
    keyTopics.length ? `Topics: ${keyTopics.join(', ')}.` : '',
    emotionalThemes.length ? `Emotional themes: ${emotionalThemes.join(', ')}.` : '',
    crisisIndicators.length ? `Crisis indicators: ${crisisIndicators.join(', ')}.` : '',
  ];
  return {
    summary: parts.filter(Boolean).join(' '),
    keyTopics,
    emotionalThemes,
    actionItems,
    sentimentOverall,
    crisisIndicators,
    therapeuticProgress,
  };
}
