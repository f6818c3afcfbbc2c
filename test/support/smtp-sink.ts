// A real SMTP server (smtp-server) on 127.0.0.1 that keeps every message it accepts.
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface SmtpMail {
  to: string[];
  raw: string;
}

export interface SmtpSink {
  url: string;
  mails: SmtpMail[];
  /** Set to make the server refuse the next messages with this SMTP code. */
  rejectWith: number | null;
  close(): Promise<void>;
}

/** On `port` (0: any free one). */
export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const sink: SmtpSink = { url: '', mails: [], rejectWith: null, close: async () => {} };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        if (sink.rejectWith) {
          const err = Object.assign(new Error('mailbox unavailable'), { responseCode: sink.rejectWith });
          return callback(err);
        }
        sink.mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  sink.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}?ignoreTLS=true`;
  sink.close = () => new Promise((r) => server.close(() => r()));
  return sink;
}
