// What a Vapi server message keeps when it is stored (webhook_events.payload): only the fields processing
// reads, by name. Everything else goes before storage — the customer (name, number), phone-number objects,
// variable values, transcripts and messages, assistant definitions, free text — and is never written.
// Two fields processing needs are kept only until the event is processed (scrubProcessedVapiEvent):
// the call analysis (summary and structured data: the call summary is written from them) and, for an
// inbound phone call, the caller's number (it links the call to the user whose verified phone it is). Pure.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown, max = 200) => (typeof v === 'string' ? v.slice(0, max) : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Drops undefined values (and objects left empty). */
function compact(o: Json): Json | undefined {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return Object.keys(out).length ? out : undefined;
}

/** Numbers only, two levels deep (Vapi's cost breakdown: transport, stt, llm, tokens, …). */
function numbersOnly(v: unknown, depth = 0): Json | undefined {
  if (!isObject(v) || depth > 2) return undefined;
  return compact(
    Object.fromEntries(
      Object.entries(v)
        .slice(0, 50)
        .map(([k, x]) => [k.slice(0, 60), num(x) ?? numbersOnly(x, depth + 1)]),
    ),
  );
}

function analysis(v: unknown): Json | undefined {
  if (!isObject(v)) return undefined;
  return compact({
    summary: str(v.summary, 10_000),
    structuredData: isObject(v.structuredData) ? v.structuredData : undefined,
    successEvaluation: typeof v.successEvaluation === 'boolean' ? v.successEvaluation : str(v.successEvaluation, 500),
  });
}

function call(v: unknown): Json | undefined {
  if (!isObject(v)) return undefined;
  const metadata =
    isObject(v.assistantOverrides) && isObject(v.assistantOverrides.metadata) ? v.assistantOverrides.metadata : {};
  const customer = isObject(v.customer) ? v.customer : {};
  const voiceCallId = str(metadata.voice_call_id);
  const externalId = str(customer.externalId);
  return compact({
    id: str(v.id),
    type: str(v.type, 60),
    assistantId: str(v.assistantId),
    status: str(v.status, 60),
    endedReason: str(v.endedReason),
    createdAt: str(v.createdAt, 60),
    startedAt: str(v.startedAt, 60),
    endedAt: str(v.endedAt, 60),
    cost: num(v.cost),
    costBreakdown: numbersOnly(v.costBreakdown),
    assistantOverrides: compact({
      metadata: compact({
        voice_call_id: voiceCallId && UUID.test(voiceCallId) ? voiceCallId : undefined,
        hearth_call_token: str(metadata.hearth_call_token, 500),
      }),
    }),
    customer: compact({
      // Our own voice_calls id, as our create request set it: no personal data.
      externalId: externalId && UUID.test(externalId) ? externalId : undefined,
      // Only an inbound call's caller, only until processed.
      number: v.type === 'inboundPhoneCall' ? str(customer.number, 40) : undefined,
    }),
  });
}

/**
 * The stored form of a server message: `{ message: { type, status, times, cost, analysis, call: {...} } }`.
 * @example storableVapiEvent({ message: { type: 'status-update', status: 'ringing', customer: { number: '+1…' } } })
 *   // { message: { type: 'status-update', status: 'ringing' } }
 */
export function storableVapiEvent(envelope: { message: Json }): Json {
  const m = envelope.message;
  const message = compact({
    type: str(m.type, 100),
    status: str(m.status, 60),
    endedReason: str(m.endedReason),
    timestamp: num(m.timestamp) ?? str(m.timestamp, 60),
    startedAt: str(m.startedAt, 60),
    endedAt: str(m.endedAt, 60),
    cost: num(m.cost),
    costBreakdown: numbersOnly(m.costBreakdown),
    analysis: m.type === 'end-of-call-report' ? analysis(m.analysis) : undefined,
    call: call(m.call),
  });
  return { message: message ?? {} };
}

/** After processing: the analysis and the caller's number go too (the call summary and call row hold what was needed). */
export function scrubProcessedVapiEvent(payload: Json): Json {
  const m = isObject(payload.message) ? { ...payload.message } : {};
  delete m.analysis;
  if (isObject(m.call)) {
    const c = { ...m.call };
    if (isObject(c.customer)) {
      const { number: _number, ...rest } = c.customer;
      if (Object.keys(rest).length) c.customer = rest;
      else delete c.customer;
    }
    m.call = c;
  }
  return { message: m };
}
