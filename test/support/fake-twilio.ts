// A Twilio Messages API on 127.0.0.1: records every create request (form fields, basic auth) and answers
// like Twilio (201 + JSON message resource) unless the test says otherwise.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface TwilioRequest {
  path: string;
  authorization: string | undefined;
  form: Record<string, string>;
  at: number;
}

export interface FakeTwilio {
  url: string;
  requests: TwilioRequest[];
  /** Decide the answer per request; default 201 queued. */
  respond: (form: Record<string, string>) => { status: number; body: Record<string, unknown> };
  close(): Promise<void>;
}

export const queued = (form: Record<string, string>) => ({
  status: 201,
  body: {
    sid: `SM${randomBytes(16).toString('hex')}`,
    status: 'queued',
    to: form.To,
    from: form.From,
    body: form.Body,
    error_code: null,
  },
});

/** On `port` (0: any free one; the demo uses a fixed one its platform is configured with). */
export async function startFakeTwilio(port = 0): Promise<FakeTwilio> {
  const fake: FakeTwilio = { url: '', requests: [], respond: queued, close: async () => {} };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(raw));
      fake.requests.push({
        path: req.url ?? '',
        authorization: req.headers.authorization,
        form,
        at: performance.now(),
      });
      const { status, body } = fake.respond(form);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}
