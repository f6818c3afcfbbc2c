// Every outside call has a timeout: a Supabase Auth API or an SMTP server that accepts the connection and
// never answers fails the call within its timeout (the job then retries), instead of holding the job.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAuthAdmin } from '../../src/lib/supabase-admin.ts';
import { smtpSender } from '../../src/lib/notify/smtp.ts';

/** Accepts TCP connections and says nothing, ever. */
let silent: Server;
const sockets = new Set<Socket>();
let port = 0;
beforeAll(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  port = (silent.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
});

/** How a call ended (resolved, or the error's name) and how long it took. */
const timed = async (call: () => Promise<unknown>) => {
  const started = Date.now();
  const outcome = await call().then(
    () => 'resolved',
    (err: Error) => err.name,
  );
  return { outcome, ms: Date.now() - started };
};

it('Supabase Auth admin calls give up after SUPABASE_TIMEOUT_MS', async () => {
  const admin = createAuthAdmin({
    SUPABASE_URL: `http://127.0.0.1:${port}`,
    SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-0123456789',
    SUPABASE_TIMEOUT_MS: 300,
  });
  const r = await timed(() => admin.getUser('00000000-0000-4000-8000-000000000000'));
  expect(r.outcome).toBe('AuthAdminError');
  expect(r.ms).toBeLessThan(10_000);
});

it('an SMTP send gives up after its timeout', async () => {
  const sender = smtpSender({ url: `smtp://127.0.0.1:${port}`, from: 'a@hearth.invalid', timeoutMs: 300 });
  const r = await timed(() => sender.send({ key: 'k1', to: 'b@example.org', subject: 's', text: 't' }));
  expect(r.outcome).toBe('ProviderError');
  expect(r.ms).toBeLessThan(10_000);
});
