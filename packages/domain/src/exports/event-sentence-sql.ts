import {
  ACTIONS,
  ATTEMPT_PHRASES,
  CATALOG,
  CLAIMED_DONE,
  DENIAL_REASONS,
  FAILURE_MAX_CHARS,
  FAILURE_WORDS,
  NO_TARGET,
  REASON_WORDS,
  templateParts,
} from '@modula/contracts';
import { sqlLiteral } from './local-time.ts';

/**
 * `describeAuditEvent` (contracts) in SQL, for the CSV that PostgreSQL writes itself: the same
 * tables (templates, attempt phrases, reason and failure words) assembled the same way, over the
 * columns of audit_events. `tests/integrity/event-sentence-sql.int.test.ts` holds the two equal
 * over every action, outcome and reason.
 */
export function eventSentenceSql(): string {
  const actor = `coalesce(actor_name, actor_id, case when actor_type = 'SYSTEM' then 'System' else 'Unknown user' end)`;
  const target = `case when entity_type is null or entity_id is null then ${sqlLiteral(NO_TARGET)} else coalesce(entity_label, entity_id) end`;
  const filled = (template: string) =>
    templateParts(template)
      .filter((part) => part !== '')
      .map((part) => (part === '{actor}' ? actor : part === '{target}' ? target : sqlLiteral(part)))
      .join(' || ');
  const byAction = (template: (a: (typeof ACTIONS)[number]) => string) =>
    `case action ${ACTIONS.map((a) => `when ${sqlLiteral(a)} then ${filled(template(a))}`).join(' ')} end`;
  const head = `case when outcome = 'SUCCESS' then ${byAction((a) => CATALOG[a].description)} else ${actor} || ' tried to ' || ${byAction((a) => ATTEMPT_PHRASES[a])} end`;

  const failure = `(metadata #>> '{failure}')`;
  const words = `case ${failure} ${Object.entries(FAILURE_WORDS)
    .map(([code, w]) => `when ${sqlLiteral(code)} then ${sqlLiteral(w)}`)
    .join(' ')} else case when ${failure} ~ '^[A-Z0-9_]+$' then lower(replace(${failure}, '_', ' ')) else ${failure} end end`;
  const failureText = `case when jsonb_typeof(metadata -> 'failure') = 'string' and ${failure} <> '' then
    case when char_length(${words}) > ${FAILURE_MAX_CHARS} then left(${words}, ${FAILURE_MAX_CHARS - 1}) || '…' else ${words} end end`;
  const reason = `case reason ${DENIAL_REASONS.map((r) => `when ${sqlLiteral(r)} then ${sqlLiteral(REASON_WORDS[r])}`).join(' ')} else 'no reason given' end`;
  const clause = `case outcome when 'REJECTED' then 'refused: ' || ${reason} || coalesce(' (' || ${failureText} || ')', '')
    when 'FAILED' then 'failed' || coalesce(': ' || ${failureText}, '') else ${failureText} end`;
  const attempts = `(metadata #>> '{attempts}')`;
  const attemptsText = `case when jsonb_typeof(metadata -> 'attempts') = 'number' and ${attempts} ~ '^[0-9]{1,15}$' and ${attempts}::bigint > 1 then ${attempts} || ' attempts' end`;
  const from = `case when action = 'LOGIN_FAILED' and ip is not null and ip <> '' then 'from ' || ip end`;
  const claimed = `case when outcome = 'REJECTED' and claimed_outcome = 'SUCCESS' then ${sqlLiteral(CLAIMED_DONE)} end`;
  const tail = `concat_ws(', ', nullif(${clause}, ''), ${attemptsText}, ${from}, ${claimed})`;
  return `(${head} || coalesce(' — ' || nullif(${tail}, ''), ''))`;
}
