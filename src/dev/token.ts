// `npm run dev:token -- EMAIL [--phone +15555550100]`: development only. Makes (or reuses) a local user as user
// sync would and prints a bearer token the running platform accepts, as the last line, so
// `TOKEN=$(npm run -s dev:token -- me@example.com | tail -1)` works. Refuses to run outside development.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { configOrExit } from '../config.ts';
import { initOrm } from '../db/orm.ts';
import { ensureLocalUser, localAccessToken } from './local-identity.ts';

const fail = (message: string): never => {
  process.stderr.write(`hearth dev:token: ${message}\n`);
  process.exit(1);
};

const Args = z.object({
  email: z.email('EMAIL is not an email address'),
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, '--phone must be E.164, e.g. +15555550100')
    .optional(),
});

const config = configOrExit();
if (config.NODE_ENV !== 'development') {
  fail(`development only (NODE_ENV is ${config.NODE_ENV}): in production, users sign in through Supabase Auth`);
}
const { values, positionals } = parseArgs({ options: { phone: { type: 'string' } }, allowPositionals: true });
const parsed = Args.safeParse({ email: positionals[0], phone: values.phone });
if (!parsed.success) fail(`${parsed.error.issues[0]?.message} (usage: npm run dev:token -- EMAIL [--phone +E164])`);
const args = parsed.data!;

const orm = await initOrm(config).catch((err: Error) => fail(`cannot open the database: ${err.message}`));
try {
  const user = await ensureLocalUser(orm.em.fork(), args, config.ERASURE_TOMBSTONE_KEY).catch((err: Error) =>
    fail(`cannot write the user (has \`npm start\` created the database?): ${err.message}`),
  );
  const token = await localAccessToken(config, user.id);
  const base = `http://127.0.0.1:${config.PORT}`;
  process.stdout.write(
    [
      `${user.created ? 'created' : 'reused'} user ${user.id} (${args.email}), as user sync would`,
      `  SQL: select id, email, phone_number, created_at from users where id = '${user.id}';`,
      `  try: curl -H "authorization: Bearer $TOKEN" ${base}/v1/me   (the token is valid for 12 hours)`,
      token,
      '',
    ].join('\n'),
  );
} finally {
  await orm.close();
}
