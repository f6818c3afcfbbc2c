// A fake Vapi on 127.0.0.1 speaking the real shapes (external-apis.md A1–A5): POST /call (201 Call),
// GET /call/{id}, GET /call (plain array, assistantId/createdAtGe filters), bearer auth. Like the real one
// it posts server messages to a server URL with a credential header: status-updates and an
// end-of-call-report that carries a transcript, messages and recording URLs.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

export const FAKE_VAPI_KEY = 'fake-vapi-private-key';
export const TRANSCRIPT_MARKER = 'zebra-lantern-8841';

export interface FakeCall {
  id: string;
  orgId: string;
  type: 'outboundPhoneCall';
  status: string;
  assistantId: string;
  phoneNumberId: string;
  customer: { number: string; externalId?: string };
  assistantOverrides: { metadata?: Record<string, unknown> };
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  endedAt?: string;
  endedReason?: string;
  cost?: number;
  costBreakdown?: Record<string, number>;
}

/** A POST /call body as our client sends it (what the tests look at; the fake keeps it whole). */
export type CreateCallRequest = Pick<FakeCall, 'assistantId' | 'phoneNumberId' | 'customer'> &
  Partial<Pick<FakeCall, 'assistantOverrides'>> &
  Record<string, unknown>;

/** What the next POST /call does: answer with a status, or create the call but answer only after `delayMs`. */
export type CreatePlan = { status: number; message?: string } | { createThenDelayMs: number };

export class FakeVapi {
  readonly calls = new Map<string, FakeCall>();
  readonly createRequests: CreateCallRequest[] = [];
  readonly plans: CreatePlan[] = [];
  #server: Server | undefined;
  url = '';

  /** Listens on `port` (0: any free one). */
  async start(port = 0): Promise<this> {
    this.#server = createServer((req, res) => {
      void this.#handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((r) => this.#server!.listen(port, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server.address() as { port: number }).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.#server?.closeAllConnections();
    return new Promise((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }

  /** Vapi's side of a finished call: what GET /call/{id} returns afterwards. */
  finish(callId: string, messages: ReturnType<typeof callMessages>, endedReason = 'customer-ended-call'): void {
    Object.assign(this.calls.get(callId)!, {
      status: 'ended',
      endedReason,
      startedAt: messages.started.toISOString(),
      endedAt: messages.ended.toISOString(),
      cost: 0.15,
      costBreakdown: messages.costBreakdown,
      analysis: messages.report.message.analysis,
    });
  }

  /** Calls that carry our row id (what a create request produced). */
  callsFor(voiceCallId: string): FakeCall[] {
    return [...this.calls.values()].filter((c) => c.customer.externalId === voiceCallId);
  }

  async #handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    if (req.headers.authorization !== `Bearer ${FAKE_VAPI_KEY}`)
      return { status: 401, body: { message: 'Unauthorized' } };
    const url = new URL(req.url!, this.url);
    if (req.method === 'POST' && url.pathname === '/call') return this.#create(JSON.parse(await readBody(req)));
    if (req.method === 'GET' && url.pathname === '/call') {
      const since = url.searchParams.get('createdAtGe');
      const list = [...this.calls.values()].filter(
        (c) => c.assistantId === url.searchParams.get('assistantId') && (!since || c.createdAt >= since),
      );
      return { status: 200, body: list };
    }
    const call = req.method === 'GET' && this.calls.get(decodeURIComponent(url.pathname.replace(/^\/call\//, '')));
    return call ? { status: 200, body: call } : { status: 404, body: { message: 'Not Found' } };
  }

  async #create(body: CreateCallRequest): Promise<{ status: number; body: unknown }> {
    this.createRequests.push(body);
    const plan = this.plans.shift();
    if (plan && 'status' in plan)
      return { status: plan.status, body: { message: plan.message ?? 'failure', statusCode: plan.status } };
    const now = new Date().toISOString();
    const call: FakeCall = {
      id: randomUUID(),
      orgId: 'org_fake',
      type: 'outboundPhoneCall',
      status: 'queued',
      assistantId: body.assistantId,
      phoneNumberId: body.phoneNumberId,
      customer: body.customer,
      assistantOverrides: body.assistantOverrides ?? {},
      createdAt: now,
      updatedAt: now,
    };
    this.calls.set(call.id, call);
    if (plan && 'createThenDelayMs' in plan) await new Promise((r) => setTimeout(r, plan.createThenDelayMs));
    return {
      status: 201,
      body: {
        ...call,
        subscriptionLimits: { concurrencyBlocked: false, concurrencyLimit: 10, remainingConcurrentCalls: 9 },
      },
    };
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  let data = '';
  for await (const chunk of req) data += chunk;
  return data;
}

export interface CallScript {
  endedReason?: string;
  summary?: string;
  structuredData?: Record<string, unknown>;
  /** Put the costBreakdown on the report's call copy (true) or only behind GET /call/{id} (false). */
  breakdownInReport?: boolean;
  durationSeconds?: number;
}

/** The server messages a call produces, in Vapi's envelope, with the conversation in them. */
export function callMessages(call: FakeCall, script: CallScript = {}) {
  const started = new Date(Date.now() - (script.durationSeconds ?? 95) * 1000);
  const ended = new Date();
  const endedReason = script.endedReason ?? 'customer-ended-call';
  const answered = !['customer-did-not-answer', 'customer-busy'].includes(endedReason);
  const costBreakdown = {
    transport: 0.01,
    stt: 0.02,
    llm: 0.03,
    tts: 0.04,
    vapi: 0.05,
    total: 0.15,
    llmPromptTokens: 900,
  };
  const transcript = `AI: Hi, how are you?\nUser: Honestly ${TRANSCRIPT_MARKER}, I have been low.`;
  const artifact = {
    transcript,
    messages: [{ role: 'user', message: `Honestly ${TRANSCRIPT_MARKER}` }],
    messagesOpenAIFormatted: [{ role: 'user', content: `Honestly ${TRANSCRIPT_MARKER}` }],
    recordingUrl: `https://storage.vapi.ai/${TRANSCRIPT_MARKER}-mono.wav`,
    stereoRecordingUrl: `https://storage.vapi.ai/${TRANSCRIPT_MARKER}-stereo.wav`,
    recording: {
      stereoUrl: 'https://storage.vapi.ai/s.wav',
      mono: { combinedUrl: `https://storage.vapi.ai/${TRANSCRIPT_MARKER}.wav` },
    },
  };
  const snapshot = (status: string, extra: Partial<FakeCall> = {}) => ({
    ...call,
    status,
    ...extra,
    artifact,
    transcript,
    messages: artifact.messages,
  });
  const ts = started.getTime();
  const status = (s: string, extra: Record<string, unknown> = {}) => ({
    message: {
      type: 'status-update',
      status: s,
      timestamp: ts,
      call: snapshot(s, s === 'in-progress' ? { startedAt: started.toISOString() } : {}),
      ...extra,
    },
  });
  return {
    ringing: status('ringing'),
    inProgress: status('in-progress'),
    endedStatus: status('ended', { endedReason }),
    report: {
      message: {
        type: 'end-of-call-report',
        timestamp: ended.getTime(),
        endedReason,
        ...(answered ? { startedAt: started.toISOString() } : {}),
        endedAt: ended.toISOString(),
        cost: 0.15,
        costs: [{ type: 'model', cost: 0.03 }],
        analysis: {
          summary: script.summary ?? 'The user talked about a hard week and agreed to take a walk tomorrow.',
          structuredData: script.structuredData ?? {
            sentiment: 'mixed',
            key_topics: ['sleep', 'work'],
            action_items: ['walk tomorrow'],
            emotional_state: 'tired',
          },
          successEvaluation: 'true',
        },
        artifact,
        transcript,
        recordingUrl: artifact.recordingUrl,
        call: snapshot('ended', { endedReason, ...(script.breakdownInReport === false ? {} : { costBreakdown }) }),
      },
    },
    costBreakdown,
    started,
    ended,
  };
}
