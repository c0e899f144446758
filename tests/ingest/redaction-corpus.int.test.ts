import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { TAuditEventInput } from '@modula/contracts';
import { startExportWorker, type TExportWorker } from '@modula/worker';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { luhnCard } from '../../testing/cards.ts';
import { connect } from '../../testing/database.ts';
import { exportWhenReady } from '../../testing/exports.ts';
import { eventually, getTrpc, makeEvent, postTrpc } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * DESIGN rule 6 end to end: a corpus of secrets in every shape and every free-text field of an event
 * goes in through HTTP `ingest.batch` with an API key; afterwards no secret may be found anywhere the
 * service writes: any column of any table of PostgreSQL (audit rows, the quarantine's payloads …),
 * any Redis key of the queue (every type), the server's and workers' debug logs, a CSV export.
 */

/** Every secret of the corpus, by what it is; each is long and unusual enough not to appear by chance. */
const S = {
  cardAsNumber: luhnCard('453201511283036'),
  cardAsKey: luhnCard('601100099990001'),
  cardInEntityId: luhnCard('527485310022541'),
  cardInActorId: luhnCard('491761000000123'),
  cardAfterDash: luhnCard('455673758942015'),
  cardBeforeLetters: luhnCard('402400710393950'),
  cardInEntityType: luhnCard('510510510510510'),
  cardInEntityLabel: luhnCard('448560004321987'),
  cardInJsonText: luhnCard('476173900101001'),
  jwtSessionId: 'eyJhbGciOiJIUzI1NiJ9.eyJzZXNzaW9uIjoiY29ycHVzIn0.Q2xpZW50U2Vzc2lvblNpZ25hdHVyZTEyMw',
  tokenDeviceId: 'ghp_R4nd0mDev1ceT0kenAbCdEfGh1234',
  pinCode: 'PinCodeValue-7Hq2',
  otpCode: 'OtpCodeValue-3Kw9',
  cvvCode: 'CvvCodeValue-5Zt1',
  pass: 'PassValue-8Lm4x',
  pw: 'PwValue-2Rx6q',
  auth: 'AuthValue-6Np3z',
  pinNumber: 739152860417,
  urlUserinfo: 'UrlUserinfoPass-4Fz7',
  urlPassword: 'QueryPassword-9Vb2',
  urlToken: 'QueryToken-1Cs8w',
  urlAccessToken: 'AccessTokenValue-5Dq0',
  pemLine1: 'MIIEowIBAAKCAQEAPemBodySecretLine0123456789abcdef',
  pemLine2: 'PemSecondLineSecretXYZ0123==',
  jsonPassword: 'JsonInString-Pw3k9',
  jsonApiKey: 'JsonInString-Key8q',
  jsonArrayPin: 'JsonArrayPin-4Hs7',
  keyAssignment: 'KeyAssignPw-7Jd2',
} as const;

function corpus(tenantId: string): TAuditEventInput {
  return makeEvent(tenantId, {
    action: 'POLICY_UPDATED', // tenant level: stored without a branch
    actor: { type: 'USER', id: S.cardInActorId, role: 'CASHIER', name: 'Carl Cashier' },
    entity: { type: `PAN${S.cardInEntityType}`, id: S.cardInEntityId, label: `Paid-${S.cardInEntityLabel}` },
    context: { sessionId: S.jwtSessionId, deviceId: S.tokenDeviceId, ip: '203.0.113.7', deviceSeq: 1 },
    before: { staff: { PINCode: S.pinCode, OTPCode: S.otpCode }, pinNumber: S.pinNumber },
    after: {
      payment: { CVVCode: S.cvvCode, last4: '0366' },
      login: { pass: S.pass, pw: S.pw, auth: S.auth },
      note: `declined card-${S.cardAfterDash} once`,
      scanned: `${S.cardBeforeLetters}abc`,
      shippingAddress: 'Pinewood Road 1',
      spinach: 'fresh',
      passenger: 'Ana',
      authorName: 'Bo',
    },
    metadata: {
      reference: Number(S.cardAsNumber),
      tipsByCard: { [S.cardAsKey]: 2.5 },
      [`password=${S.keyAssignment}`]: 'key that is an assignment',
      database: `postgres://admin:${S.urlUserinfo}@db.example.com:5432/pos`,
      callback: `https://pos.example.com/cb?password=${S.urlPassword}&token=${S.urlToken}&access_token=${S.urlAccessToken}&next=1`,
      tlsKey: `-----BEGIN RSA PRIVATE KEY-----\n${S.pemLine1}\n${S.pemLine2}\n-----END RSA PRIVATE KEY-----`,
      rawRequest: JSON.stringify({ password: S.jsonPassword, nested: { apiKey: S.jsonApiKey }, card: Number(S.cardInJsonText), user: 'ana' }),
      rawList: JSON.stringify([{ pin: S.jsonArrayPin }]),
      orderId: '0192f1c4-6b7a-7c3e-9d2f-4b8a1e5c7d90',
    },
  });
}

/** The same object with the keys of every object in reverse order. */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reverseKeys(v)]),
    ) as T;
  }
  return value;
}

const logLines: string[] = [];
const logTo = new Writable({
  write(chunk, _enc, done) {
    logLines.push(String(chunk));
    done();
  },
});
const dataDir = mkdtempSync(join(tmpdir(), 'modula-redaction-corpus-'));
let stack: TestStack;
let exportWorker: TExportWorker;
let tenant: { tenantId: string; apiKey: string };

beforeAll(async () => {
  stack = await startStack({ env: { ...VIEWER_ENV, DATA_DIR: dataDir, LOG_LEVEL: 'debug' }, logTo });
  exportWorker = startExportWorker(stack.config, stack.services.orm, pino({ name: 'export-worker', level: 'debug' }, logTo));
  tenant = await stack.createTenant('Redaction corpus');
});
afterAll(async () => {
  await exportWorker?.close();
  await stack?.close();
});

async function send(events: TAuditEventInput[]) {
  const res = await postTrpc(stack.baseUrl, 'ingest.batch', { events }, tenant.apiKey);
  expect(res.status).toBe(200);
  expect(res.body.result.data.rejected).toEqual([]);
}

async function statesOf(eventIds: string[]): Promise<string[]> {
  const r = await getTrpc(stack.baseUrl, 'ingest.status', { eventIds }, tenant.apiKey);
  return (r.body.result.data.statuses as { state: string }[]).map((s) => s.state);
}

async function quarantined(): Promise<{ event_id: string; reason: string }[]> {
  const db = await connect(stack.databaseSuperuserUrl);
  try {
    return (await db.query('select event_id, reason from quarantined_events where tenant_id = $1 order by quarantined_at', [tenant.tenantId])).rows;
  } finally {
    await db.end();
  }
}

/** Sends `events` plus a plain sentinel in the same batch (one job) and waits until the sentinel is stored. */
async function sendAndWait(events: TAuditEventInput[]) {
  const sentinel = makeEvent(tenant.tenantId);
  await send([...events, sentinel]);
  await eventually(async () => ((await statesOf([sentinel.eventId]))[0] === 'STORED' ? true : undefined));
}

describe('same content, same identity (issue 11, item 4)', () => {
  it('a resend with the JSON keys in another order is the same event: a no-op, not a DUPLICATE_CONFLICT', async () => {
    const event = corpus(tenant.tenantId);
    await sendAndWait([event]);
    expect(await statesOf([event.eventId])).toEqual(['STORED']);
    await sendAndWait([reverseKeys(event)]);
    expect(await quarantined()).toEqual([]);
  });
});

describe('secrets never stored (issue 11, item 5): nowhere in PostgreSQL, Redis, logs or a CSV export', () => {
  let stored: TAuditEventInput;

  beforeAll(async () => {
    stored = corpus(tenant.tenantId);
    await sendAndWait([stored]);
    expect(await statesOf([stored.eventId])).toEqual(['STORED']);
    // the same eventId with other content: quarantined, so the quarantine table holds a payload too
    await sendAndWait([{ ...stored, after: { ...stored.after, note: `declined card-${S.cardAfterDash} twice` } }]);
    expect(await quarantined()).toContainEqual({ event_id: stored.eventId, reason: 'DUPLICATE_CONFLICT' });
  });

  function leaksIn(where: string, text: string): string[] {
    expect(text.length).toBeGreaterThan(0);
    return Object.entries(S)
      .filter(([, secret]) => text.includes(String(secret)))
      .map(([name]) => `${name} in ${where}`);
  }

  it('PostgreSQL: no column of any table of schema public holds a secret (read as the superuser)', async () => {
    const db = await connect(stack.databaseSuperuserUrl);
    const leaks: string[] = [];
    try {
      const tables = (await db.query(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`))
        .rows as { table_name: string }[];
      expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['audit_events', 'quarantined_events']));
      for (const { table_name } of tables) {
        const rows = (await db.query(`select t::text as row from public."${table_name}" t`)).rows as { row: string }[];
        if (rows.length > 0) leaks.push(...leaksIn(`table ${table_name}`, rows.map((r) => r.row).join('\n')));
      }
      expect(leaks).toEqual([]);
      const row = (await db.query('select * from audit_events where event_id = $1', [stored.eventId])).rows[0];
      expect(row.entity_id).toBe('[REDACTED]');
      expect(row.actor_id).toBe('[REDACTED]');
      expect(row.after.shippingAddress).toBe('Pinewood Road 1');
      expect(row.after).toMatchObject({ spinach: 'fresh', passenger: 'Ana', authorName: 'Bo', payment: { last4: '0366' } });
      expect(row.metadata.orderId).toBe('0192f1c4-6b7a-7c3e-9d2f-4b8a1e5c7d90');
      expect(row.redacted_paths).toEqual([...row.redacted_paths].sort());
      expect(row.redacted_paths).toEqual(
        expect.arrayContaining([
          'actor.id',
          'entity.type',
          'entity.id',
          'entity.label',
          'context.sessionId',
          'context.deviceId',
          'before.staff.PINCode',
          'before.staff.OTPCode',
          'before.pinNumber',
          'after.payment.CVVCode',
          'after.login.pass',
          'after.login.pw',
          'after.login.auth',
          'after.note',
          'after.scanned',
          'metadata.reference',
          'metadata.database',
          'metadata.callback',
          'metadata.tlsKey',
          'metadata.rawRequest',
          'metadata.rawList',
        ]),
      );
    } finally {
      await db.end();
    }
  });

  it('Redis: no key of the queue prefix holds a secret, whatever its type', async () => {
    // a stored job is removed from Redis: with the worker stopped, a corpus event's job waits there to be read
    await stack.worker!.close();
    const queued = corpus(tenant.tenantId);
    await send([queued]);
    const redis = new Redis(stack.env.REDIS_URL!);
    const dump: string[] = [];
    const types = new Set<string>();
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${stack.config.QUEUE_PREFIX}:*`, 'COUNT', 500);
        cursor = next;
        for (const key of keys) {
          const type = await redis.type(key);
          types.add(type);
          dump.push(key);
          if (type === 'string') dump.push((await redis.get(key)) ?? '');
          else if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(key)));
          else if (type === 'list') dump.push(JSON.stringify(await redis.lrange(key, 0, -1)));
          else if (type === 'set') dump.push(JSON.stringify(await redis.smembers(key)));
          else if (type === 'zset') dump.push(JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES')));
          else if (type === 'stream') dump.push(JSON.stringify(await redis.xrange(key, '-', '+')));
          else throw new Error(`key ${key} of type ${type} not read`);
        }
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
      stack.worker = stack.startWorker();
    }
    const text = dump.join('\n');
    expect(text).toContain(queued.eventId); // the job really is there
    expect(types).toContain('hash');
    expect(leaksIn('Redis', text)).toEqual([]);
    await eventually(async () => ((await statesOf([queued.eventId]))[0] === 'STORED' ? true : undefined));
  });

  it('a CSV export of the tenant holds no secret, and neither do the server and worker logs at debug level', async () => {
    const admin = await signedInAdmin(stack, tenant.tenantId);
    const ready = await exportWhenReady(stack, admin.cookie, 'csv');
    const res = await fetch(`${stack.baseUrl}${ready.url}`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    const csv = await res.text();
    expect(csv).toContain(stored.eventId);
    // everything the export wrote under DATA_DIR (pack and manifest) too
    const files = (function walk(dir: string): string[] {
      return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
    })(dataDir);
    expect(files.length).toBeGreaterThanOrEqual(2);
    const leaks = [...leaksIn('CSV export', csv), ...files.flatMap((f) => leaksIn(f, readFileSync(f, 'utf8')))];

    const logs = logLines.join('');
    expect(logs).toMatch(/"level":20/); // debug lines were written
    leaks.push(...leaksIn('logs', logs));
    expect(leaks).toEqual([]);
  });
});
