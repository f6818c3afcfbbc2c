// Removes everything that carries the conversation from a Vapi server message before anything stores it
// (webhook_events.payload included): transcripts, message lists, recordings, artifacts. Pure.

/**
 * Keys dropped wherever they occur (the message, its `call` copy, nested objects). `artifact` holds the
 * transcript, messages, recordings, logs and presigned URLs, so it goes whole.
 */
const CONVERSATION_KEYS = new Set([
  'artifact',
  'transcript',
  'originalTranscript',
  'messages',
  'messagesOpenAIFormatted',
  'recordingUrl',
  'stereoRecordingUrl',
  'recording',
  'logUrl',
  'pcapUrl',
  'inboundPhoneCallDebuggingArtifacts',
  'conversation',
]);

const isConversationKey = (key: string) =>
  CONVERSATION_KEYS.has(key) || /^presigned/i.test(key) || /recording/i.test(key);

/**
 * A deep copy of `value` without conversation-bearing keys.
 * @example stripConversation({ message: { type: 'end-of-call-report', artifact: { transcript: '…' } } })
 *   // { message: { type: 'end-of-call-report' } }
 */
export function stripConversation<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => stripConversation(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!isConversationKey(key)) out[key] = stripConversation(v);
  }
  return out as T;
}
