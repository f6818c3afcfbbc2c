// Issue 16, item 2: a stored Vapi delivery keeps only what processing reads (src/domain/vapi-payload.ts).
import { describe, expect, it } from 'vitest';
import { scrubProcessedVapiEvent, storableVapiEvent } from '../../src/domain/vapi-payload.ts';

const ours = '6f1c0fa0-1111-4222-8333-444455556666';
const delivery = (type: string, callType = 'outboundPhoneCall') => ({
  message: {
    type,
    status: 'ended',
    endedReason: 'customer-ended-call',
    timestamp: 1765000000000,
    cost: 0.42,
    costBreakdown: { llm: 0.1, tts: 0.2, note: 'free text', analysisCostBreakdown: { summary: 0.01 } },
    customer: { number: '+14155550123', name: 'Robin Probe' },
    phoneNumber: { number: '+14155550000', name: 'Hearth line' },
    transcript: 'I cannot sleep',
    messages: [{ role: 'user', message: 'I cannot sleep' }],
    artifact: { transcript: 'I cannot sleep', recordingUrl: 'https://storage.vapi.ai/x.wav' },
    analysis: { summary: 'Robin talked about sleep.', structuredData: { sentiment: 'negative' } },
    assistant: { name: 'Juniper', firstMessage: 'Hi Robin!' },
    call: {
      id: 'call_abc',
      type: callType,
      assistantId: 'asst_1',
      startedAt: '2026-12-01T10:00:00.000Z',
      customer: { number: '+14155550123', name: 'Robin Probe', externalId: ours },
      assistantOverrides: {
        metadata: { voice_call_id: ours, hearth_call_token: 'tok.sig', user_name: 'Robin' },
        variableValues: { name: 'Robin', phone: '+14155550123' },
      },
      phoneNumber: { number: '+14155550000' },
    },
  },
});

describe('stored Vapi deliveries', () => {
  it('keep the fields processing reads and none of the customer, numbers or free text', () => {
    const stored = storableVapiEvent(delivery('end-of-call-report'));
    const text = JSON.stringify(stored);
    for (const gone of [
      'Robin Probe',
      '+14155550000',
      'I cannot sleep',
      'storage.vapi.ai',
      'Hi Robin',
      'free text',
      'user_name',
    ])
      expect(text, gone).not.toContain(gone);
    expect(text).not.toContain('+14155550123'); // an outbound call's customer number: our call row has it already
    expect(stored).toEqual({
      message: {
        type: 'end-of-call-report',
        status: 'ended',
        endedReason: 'customer-ended-call',
        timestamp: 1765000000000,
        cost: 0.42,
        costBreakdown: { llm: 0.1, tts: 0.2, analysisCostBreakdown: { summary: 0.01 } },
        analysis: { summary: 'Robin talked about sleep.', structuredData: { sentiment: 'negative' } },
        call: {
          id: 'call_abc',
          type: 'outboundPhoneCall',
          assistantId: 'asst_1',
          startedAt: '2026-12-01T10:00:00.000Z',
          assistantOverrides: { metadata: { voice_call_id: ours, hearth_call_token: 'tok.sig' } },
          customer: { externalId: ours },
        },
      },
    });
  });

  it("keep an inbound caller's number and the analysis only until the event is processed", () => {
    const stored = storableVapiEvent(delivery('end-of-call-report', 'inboundPhoneCall'));
    expect(stored).toMatchObject({ message: { call: { customer: { number: '+14155550123' } } } });
    const processed = scrubProcessedVapiEvent(stored);
    expect(JSON.stringify(processed)).not.toMatch(/\+14155550123|talked about sleep/);
    expect(processed).toMatchObject({ message: { type: 'end-of-call-report', call: { id: 'call_abc' } } });
    // Analysis is kept only on the report that needs it.
    expect(storableVapiEvent(delivery('status-update')).message).not.toHaveProperty('analysis');
  });
});
