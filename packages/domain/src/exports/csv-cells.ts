/**
 * OWASP CSV injection: a cell that a spreadsheet would read as a formula (starting with = + - @,
 * a tab or a carriage return) gets a leading single quote, so it is shown as text, never run.
 */
export function neutralizeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * The same rule in SQL, for packs that PostgreSQL formats itself (COPY … TO STDOUT): `text` is an
 * expression of type text, evaluated up to three times (give it a column, not a computation).
 * NULL stays NULL, which COPY writes as an empty cell, as the CSV writer always did.
 */
export function neutralizedSql(text: string): string {
  return `case when left(${text}, 1) in ('=', '+', '-', '@', chr(9), chr(13)) then '''' || ${text} else ${text} end`;
}

export const CSV_HEADER = ['seq', 'occurredAt', 'receivedAt', 'branchId', 'module', 'action', 'description', 'outcome', 'reason',
  'claimedOutcome', 'actorType', 'actorId', 'actorRole', 'actorName', 'entityType', 'entityId', 'entityLabel', 'ip', 'sessionId',
  'deviceId', 'deviceSeq', 'offline', 'before', 'after', 'metadata', 'redactedPaths', 'eventId', 'id', 'hash', 'prevHash'] as const;

const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One CSV record per event, in CSV_HEADER order, as SQL over `e` (the filtered rows, with the JSON
 * members already as text: b, a, m, rp): every free-text cell neutralised, JSON members as JSON
 * text (PostgreSQL's), nulls empty, booleans `true`/`false`. The chain hash and the previous hash
 * come last and are always 64 hex digits, never quoted: the writer finds each row's hash there.
 */
export const CSV_SELECT_LIST = [
  'e.seq', iso('e.occurred_at'), iso('e.received_at'), 'e.branch_id', 'e.module', 'e.action', neutralizedSql('e.description'),
  'e.outcome', neutralizedSql('e.reason'), 'e.claimed_outcome', 'e.actor_type', neutralizedSql('e.actor_id'), neutralizedSql('e.actor_role'),
  neutralizedSql('e.actor_name'), neutralizedSql('e.entity_type'), neutralizedSql('e.entity_id'), neutralizedSql('e.entity_label'),
  neutralizedSql('e.ip'), neutralizedSql('e.session_id'), neutralizedSql('e.device_id'), 'e.device_seq', 'e.offline::text',
  neutralizedSql('e.b'), neutralizedSql('e.a'), neutralizedSql('e.m'), neutralizedSql('e.rp'), 'e.event_id', 'e.id', 'e.hash', 'e.prev_hash',
].join(', ');

/** The columns the inner query must give CSV_SELECT_LIST (JSON turned into text once per row). */
export const CSV_SOURCE_COLUMNS = `seq, occurred_at, received_at, branch_id, module, action, description, outcome, reason, claimed_outcome,
  actor_type, actor_id, actor_role, actor_name, entity_type, entity_id, entity_label, ip, session_id, device_id, device_seq, offline,
  before::text as b, after::text as a, metadata::text as m, to_jsonb(redacted_paths)::text as rp, event_id, id, hash, prev_hash`;
