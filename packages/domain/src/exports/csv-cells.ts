import { eventSentenceSql } from './event-sentence-sql.ts';
import { localIsoSql } from './local-time.ts';

/**
 * OWASP CSV injection. A spreadsheet runs a cell as a formula when its first visible character is
 * = + - @ (or the full-width ＝ ＋ － ＠ that some spreadsheets also take), or when it starts with a
 * tab or a carriage return; leading blanks do not hide it: spaces, tabs, line breaks, NBSP, other
 * Unicode white space, zero-width characters (U+200B–U+200D, U+2060, U+180E) and a byte-order
 * mark (U+FEFF) are skipped or invisible. Such a cell gets a leading single quote, so it is shown
 * as text, never run.
 *
 * The rule is one regular expression, `^[blank]*[formula]`, written from the code points below
 * as `\uXXXX` escapes, which JavaScript and PostgreSQL's regular expressions (`~`) read alike.
 */
const BLANKS: readonly (number | [number, number])[] = [
  [0x09, 0x0d], // tab, line feed, vertical tab, form feed, carriage return
  0x20,
  0x85,
  0xa0,
  0x1680,
  0x180e,
  [0x2000, 0x200a], // en quad … hair space
  [0x200b, 0x200d], // zero-width space, non-joiner, joiner
  0x2028,
  0x2029,
  0x202f,
  0x205f,
  0x2060,
  0x3000,
  0xfeff,
];
const FORMULA_STARTS: readonly number[] = [
  0x3d,
  0x2b,
  0x40,
  0x09,
  0x0d, // = + @ tab CR
  0xff1d,
  0xff0b,
  0xff0d,
  0xff20, // ＝ ＋ － ＠
  0x2d, // - last: should the escapes become characters (below), a - last in a class is itself, not a range
];

const escaped = (cp: number) => `\\u${cp.toString(16).padStart(4, '0')}`;
const charClass = (cps: readonly (number | [number, number])[]) =>
  `[${cps.map((c) => (typeof c === 'number' ? escaped(c) : `${escaped(c[0])}-${escaped(c[1])}`)).join('')}]`;

/** A cell a spreadsheet would run, in the syntax JavaScript and PostgreSQL share (`\uXXXX` escapes only: no quote, no `$`). */
export const FORMULA_CELL_PATTERN = `^${charClass(BLANKS)}*${charClass(FORMULA_STARTS)}`;
const FORMULA_CELL = new RegExp(FORMULA_CELL_PATTERN);

export function neutralizeCell(value: string): string {
  return FORMULA_CELL.test(value) ? `'${value}` : value;
}

/**
 * The same rule in SQL, for packs that PostgreSQL formats itself (COPY … TO STDOUT): `text` is an
 * expression of type text, evaluated up to three times (give it a column, not a computation).
 * NULL stays NULL, which COPY writes as an empty cell, as the CSV writer always did. The pattern's
 * `\uXXXX` escapes mean the same with standard_conforming_strings on (the regex reads them) or off
 * (the string literal does).
 */
export function neutralizedSql(text: string): string {
  return `case when ${text} ~ '${FORMULA_CELL_PATTERN}' then '''' || ${text} else ${text} end`;
}

/** The header of CSV packs of manifest version 1 (before 2026-12): no byte-order mark, UTC times only. */
export const CSV_HEADER_V1 = [
  'seq',
  'occurredAt',
  'receivedAt',
  'branchId',
  'module',
  'action',
  'description',
  'outcome',
  'reason',
  'claimedOutcome',
  'actorType',
  'actorId',
  'actorRole',
  'actorName',
  'entityType',
  'entityId',
  'entityLabel',
  'ip',
  'sessionId',
  'deviceId',
  'deviceSeq',
  'offline',
  'before',
  'after',
  'metadata',
  'redactedPaths',
  'eventId',
  'id',
  'hash',
  'prevHash',
] as const;

/**
 * The header of CSV packs of manifest version 2 (the current one), after a UTF-8 byte-order mark
 * (so spreadsheets read the file as UTF-8): beside each UTC time its local time in the tenant's
 * zone (with its offset; the zone is the manifest's `timeZone`), beside the branch id its name,
 * and `summary`, the sentence the viewer shows (a refused action reads as an attempt), beside the
 * stored `description`. Every column of version 1 is still there, in the same order.
 */
export const CSV_HEADER = [
  'seq',
  'occurredAt',
  'occurredAtLocal',
  'receivedAt',
  'receivedAtLocal',
  'branchId',
  'branchName',
  'module',
  'action',
  'summary',
  'description',
  'outcome',
  'reason',
  'claimedOutcome',
  'actorType',
  'actorId',
  'actorRole',
  'actorName',
  'entityType',
  'entityId',
  'entityLabel',
  'ip',
  'sessionId',
  'deviceId',
  'deviceSeq',
  'offline',
  'before',
  'after',
  'metadata',
  'redactedPaths',
  'eventId',
  'id',
  'hash',
  'prevHash',
] as const;

/** Each manifest version's CSV header, and whether the file starts with a UTF-8 byte-order mark. */
export const CSV_FORMATS: Record<number, { header: readonly string[]; bom: boolean }> = {
  1: { header: CSV_HEADER_V1, bom: false },
  2: { header: CSV_HEADER, bom: true },
};
export const UTF8_BOM = '\uFEFF';

const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One CSV record per event, in CSV_HEADER order, as SQL over `e` (the filtered rows, with the JSON
 * members already as text: b, a, m, rp, and the computed cells: local times, branch name, summary):
 * every free-text cell neutralised, JSON members as JSON text (PostgreSQL's), nulls empty, booleans
 * `true`/`false`. The chain hash and the previous hash come last and are always 64 hex digits,
 * never quoted: the writer finds each row's hash there.
 */
export const CSV_SELECT_LIST = [
  'e.seq',
  iso('e.occurred_at'),
  'e.occurred_local',
  iso('e.received_at'),
  'e.received_local',
  'e.branch_id',
  neutralizedSql('e.branch_name'),
  'e.module',
  'e.action',
  neutralizedSql('e.summary'),
  neutralizedSql('e.description'),
  'e.outcome',
  neutralizedSql('e.reason'),
  'e.claimed_outcome',
  'e.actor_type',
  neutralizedSql('e.actor_id'),
  neutralizedSql('e.actor_role'),
  neutralizedSql('e.actor_name'),
  neutralizedSql('e.entity_type'),
  neutralizedSql('e.entity_id'),
  neutralizedSql('e.entity_label'),
  neutralizedSql('e.ip'),
  neutralizedSql('e.session_id'),
  neutralizedSql('e.device_id'),
  'e.device_seq',
  'e.offline::text',
  neutralizedSql('e.b'),
  neutralizedSql('e.a'),
  neutralizedSql('e.m'),
  neutralizedSql('e.rp'),
  'e.event_id',
  'e.id',
  'e.hash',
  'e.prev_hash',
].join(', ');

/**
 * The columns the inner query over audit_events must give CSV_SELECT_LIST, each computed once per
 * row (JSON turned into text, the local times in `timeZone`, the branch's current name, the sentence).
 */
export function csvSourceColumns(timeZone: string): string {
  return `seq, occurred_at, received_at, branch_id, module, action, description, outcome, reason, claimed_outcome,
  actor_type, actor_id, actor_role, actor_name, entity_type, entity_id, entity_label, ip, session_id, device_id, device_seq, offline,
  before::text as b, after::text as a, metadata::text as m, to_jsonb(redacted_paths)::text as rp, event_id, id, hash, prev_hash,
  ${localIsoSql('occurred_at', timeZone)} as occurred_local, ${localIsoSql('received_at', timeZone)} as received_local,
  (select br.name from branches br where br.tenant_id = audit_events.tenant_id and br.id = audit_events.branch_id) as branch_name,
  ${eventSentenceSql()} as summary`;
}
