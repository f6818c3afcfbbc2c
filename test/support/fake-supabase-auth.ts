// A Supabase Auth (GoTrue) stand-in on 127.0.0.1 speaking the admin endpoints supabase-js calls:
// GET /auth/v1/admin/users?page=&per_page= (JSON `{ users, aud }`, X-Total-Count and Link headers, 1-based
// pages, per_page 50 by default), GET /auth/v1/admin/users/{id} (the user, or 404 user_not_found),
// DELETE /auth/v1/admin/users/{id} (a hard delete: 200 with the user, 404 user_not_found when there is none),
// and the project JWKS (empty: an HS256 project). User objects are shaped like GoTrue's.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

export interface FakeAuthUser {
  id: string;
  aud: string;
  role: string;
  email: string;
  phone: string;
  email_confirmed_at: string | null;
  phone_confirmed_at?: string | null;
  confirmed_at: string | null;
  last_sign_in_at: string | null;
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  identities: unknown[];
  created_at: string;
  updated_at: string;
  is_anonymous: boolean;
}

/** GoTrue writes microseconds; we keep milliseconds, so the fake exercises the normalization. */
export const gotrueTime = (ms: number) => new Date(ms).toISOString().replace('Z', '123Z');

let clock = Date.UTC(2026, 0, 1);
const tick = () => (clock += 1000);

export function fakeAuthUser(overrides: Partial<FakeAuthUser> = {}): FakeAuthUser {
  const id = overrides.id ?? randomUUID();
  const at = gotrueTime(tick());
  return {
    id,
    aud: 'authenticated',
    role: 'authenticated',
    email: `person-${id.slice(0, 8)}@example.test`,
    phone: '',
    email_confirmed_at: at,
    confirmed_at: at,
    last_sign_in_at: at,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: { full_name: 'Robin Example', avatar_url: 'https://cdn.example.test/a.png', email_verified: true },
    identities: [],
    created_at: at,
    updated_at: at,
    is_anonymous: false,
    ...overrides,
  };
}

export class FakeSupabaseAuth {
  readonly users = new Map<string, FakeAuthUser>();
  readonly serviceKey = `fake-service-role-${randomUUID()}`;
  /** Pages (1-based) that answer 503, to simulate an outage mid-listing. */
  failPages = new Set<number>();
  failGets = false;
  /** DELETE answers 503 while this is above 0, counting down: an Auth API that fails a few times, then recovers. */
  failDeletes = 0;
  /** Ids deleted through the admin API, in order. */
  readonly deleted: string[] = [];
  /** How long each get-by-id takes to answer: a remote Auth API's latency, which makes user sync I/O-bound. */
  getDelayMs = 0;
  /** Users a listing skips (as offset paging does when another user is deleted mid-listing); get-by-id still finds them. */
  hiddenFromList = new Set<string>();
  readonly requests: string[] = [];
  #server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.#server = createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server.address() as { port: number }).port}`;
    return this;
  }

  async stop() {
    this.#server?.closeAllConnections();
    await new Promise((r) => this.#server?.close(r));
  }

  add(overrides: Partial<FakeAuthUser> = {}): FakeAuthUser {
    const user = fakeAuthUser(overrides);
    this.users.set(user.id, user);
    return user;
  }

  /** Changes a user as Auth would: new values and a later updated_at. */
  update(id: string, patch: Partial<FakeAuthUser>): FakeAuthUser {
    const user = { ...this.users.get(id)!, ...patch, updated_at: gotrueTime(tick()) };
    this.users.set(id, user);
    return user;
  }

  #handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (url.pathname === '/auth/v1/.well-known/jwks.json') return send(200, { keys: [] });
    if (req.headers.authorization !== `Bearer ${this.serviceKey}` || req.headers.apikey !== this.serviceKey) {
      return send(401, {
        code: 401,
        error_code: 'no_authorization',
        msg: 'This endpoint requires a valid Bearer token',
      });
    }
    if (url.pathname === '/auth/v1/admin/users') return this.#list(url, send);
    const one = /^\/auth\/v1\/admin\/users\/([0-9a-f-]{36})$/.exec(url.pathname);
    if (one && req.method === 'DELETE') {
      if (this.failDeletes > 0) {
        this.failDeletes--;
        return send(503, { code: 503, msg: 'upstream unavailable' });
      }
      const user = this.users.get(one[1]!);
      if (!user) return send(404, { code: 404, error_code: 'user_not_found', msg: 'User not found' });
      this.users.delete(user.id);
      this.deleted.push(user.id);
      return send(200, user);
    }
    if (one) {
      if (this.failGets) return send(503, { code: 503, msg: 'upstream unavailable' });
      const answer = () => {
        const user = this.users.get(one[1]!);
        return user ? send(200, user) : send(404, { code: 404, error_code: 'user_not_found', msg: 'User not found' });
      };
      return this.getDelayMs ? void setTimeout(answer, this.getDelayMs) : answer();
    }
    send(404, { code: 404, msg: 'no route' });
  }

  #list(url: URL, send: (status: number, body: unknown, headers?: Record<string, string>) => void) {
    const page = Number(url.searchParams.get('page') || 1);
    const perPage = Number(url.searchParams.get('per_page') || 50);
    if (this.failPages.has(page)) return send(503, { code: 503, msg: 'upstream unavailable' });
    const all = [...this.users.values()].filter((u) => !this.hiddenFromList.has(u.id));
    const users = all.slice((page - 1) * perPage, page * perPage);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const link = (p: number, rel: string) => `</admin/users?page=${p}&per_page=${perPage}>; rel="${rel}"`;
    const links = [...(page < last ? [link(page + 1, 'next')] : []), link(last, 'last')];
    send(200, { users, aud: 'authenticated' }, { 'x-total-count': String(all.length), link: links.join(', ') });
  }
}

/** An auth.users row as a Database Webhook sends it: raw column names, secrets included. */
export const rawAuthRecord = (u: FakeAuthUser) => ({
  instance_id: '00000000-0000-0000-0000-000000000000',
  id: u.id,
  aud: 'authenticated',
  role: 'authenticated',
  email: u.email,
  encrypted_password: '$2a$10$abcdefghijklmnopqrstuvCw0rdHashN0tReal',
  confirmation_token: 'confirm-token-secret',
  recovery_token: 'recovery-token-secret',
  email_change: '',
  phone_change: '',
  raw_app_meta_data: u.app_metadata,
  raw_user_meta_data: u.user_metadata,
  email_confirmed_at: u.email_confirmed_at,
  last_sign_in_at: u.last_sign_in_at,
  created_at: u.created_at,
  updated_at: u.updated_at,
  phone: null,
  is_anonymous: false,
});

/** A Supabase Database Webhook delivery for auth.users, as it is sent. */
export const authUsersWebhook = (type: 'INSERT' | 'UPDATE' | 'DELETE', u: FakeAuthUser, old?: FakeAuthUser) => ({
  type,
  table: 'users',
  schema: 'auth',
  record: type === 'DELETE' ? null : rawAuthRecord(u),
  old_record: type === 'INSERT' ? null : rawAuthRecord(old ?? u),
});
