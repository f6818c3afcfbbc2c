// Shared by the chat tests (and bench/processing): a signed-in, synced user and JSON requests against the app.
import type { TestPlatform } from '../support/platform.ts';
import { makeUser } from '../entities/fixtures.ts';
import { userToken } from '../support/tokens.ts';

/** All these helpers use of a platform: the app and the ORM. */
type ChatPlatform = Pick<TestPlatform, 'app' | 'orm'>;

export interface ChatUser {
  id: string;
  token: string;
}

export async function chatUser(platform: ChatPlatform, data: Parameters<typeof makeUser>[1] = {}): Promise<ChatUser> {
  const user = await makeUser(platform.orm.em.fork(), data);
  return { id: user.id, token: await userToken({ sub: user.id }) };
}

export function call(platform: ChatPlatform, user: ChatUser, method: string, path: string, body?: unknown) {
  return platform.app.request(path, {
    method,
    headers: {
      authorization: `Bearer ${user.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

export async function newConversation(platform: ChatPlatform, user: ChatUser): Promise<string> {
  const res = await call(platform, user, 'POST', '/v1/conversations', { title: 'Evening' });
  if (res.status !== 201) throw new Error(`conversation: ${res.status} ${await res.text()}`);
  return (await res.json()).id;
}

export async function postMessage(
  platform: ChatPlatform,
  user: ChatUser,
  conversationId: string,
  content: string,
  role = 'user',
) {
  const res = await call(platform, user, 'POST', `/v1/conversations/${conversationId}/messages`, { content, role });
  if (res.status !== 202) throw new Error(`message: ${res.status} ${await res.text()}`);
  return (await res.json()) as { message_id: string; job_id: string };
}
