import type { TAlertRuleName, TAlertRuleView, TAlertView, TEventsFilter } from '@modula/contracts';
import { dbOf, sql, withTenant, type Db, type Orm } from '@modula/db';
import { eventIdsOf, insertAlert, type TAlertDraft } from './alert-raise.ts';
import { rulesByName } from './alert-rules.ts';
import { SubjectWindows } from './alert-windows.ts';

/** An alert stored by an evaluation, with the eventIds of what triggered it (for its ALERT_RAISED). */
export interface TRaisedAlert {
  alert: TAlertView;
  eventIds: string[];
}

export interface TAlertEvaluation {
  /** The cursor before and after: the seqs read were (fromSeq, toSeq]. */
  fromSeq: number;
  toSeq: number;
  headSeq: number;
  raised: TRaisedAlert[];
}

interface Candidate {
  seq: string;
  action: string;
  reason: string | null;
  actor_id: string | null;
  actor_name: string | null;
  ip: string | null;
  branch_id: string | null;
  at_ms: number;
}

interface Counted {
  count: number;
  accounts: number;
  first_ms: number;
  first_at: string;
  last_at: string;
  seqs: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();
/** `to` of the log filter: one millisecond on, so the last event (stored to the microsecond) is inside. */
const through = (isoText: string) => iso(Date.parse(isoText) + 1);

/** The events of the candidate's subject a rule counts: failed sign-ins of its account or address, refusals at its branch. */
function sameSubject(rule: TAlertRuleName, c: Candidate) {
  return rule === 'LOGIN_FAILURES_ACCOUNT'
    ? sql`action = 'LOGIN_FAILED' and actor_id = ${c.actor_id}`
    : rule === 'LOGIN_FAILURES_ADDRESS'
      ? sql`action = 'LOGIN_FAILED' and ip = ${c.ip}`
      : sql`reason = 'BRANCH_FROZEN' and outcome = 'REJECTED' and branch_id = ${c.branch_id}::uuid`;
}

/**
 * The events a rule counts for one candidate: the same kind of event of the same subject within the
 * rule's window ending at the occurredAt of `endSeq` (the candidate, or one a late candidate falls
 * before; both ends included, as insights.failedLogins counts), read through the partial index of
 * LOGIN_FAILED, the index by address, or by reason.
 */
function countFor(rule: TAlertRuleName, tenantId: string, c: Candidate, endSeq: string, windowMinutes: number) {
  return sql<Counted>`with e as (select occurred_at from audit_events where tenant_id = ${tenantId} and seq = ${endSeq}::bigint)
    select count(*)::int as count, count(distinct actor_id)::int as accounts,
      extract(epoch from min(a.occurred_at)) * 1000 as first_ms,
      to_char(min(a.occurred_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as first_at,
      to_char(max(a.occurred_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last_at,
      (array_agg(a.seq order by a.seq))[1:100]::text[] as seqs
    from audit_events a, e
    where a.tenant_id = ${tenantId} and ${sameSubject(rule, c)}
      and a.occurred_at >= e.occurred_at - make_interval(mins => ${windowMinutes}::int) and a.occurred_at <= e.occurred_at`;
}

/** How many window ends of one late event are counted exactly at most (each is a count of its own). */
const MAX_WINDOW_ENDS = 100;

/**
 * Where the windows that may now count `c` and hold more than `threshold` events end: at `c`, and —
 * when `c` arrived late (an offline till) — at events of its subject stored before it (so counted
 * without it) that occurred within a window after it. (One stored after `c` is a candidate of its
 * own, counted with `c`.) One pass over the events within a window either side of `c`, whatever
 * their number; at most MAX_WINDOW_ENDS ends, in occurredAt order.
 */
async function windowEnds(db: Db, rule: TAlertRuleName, tenantId: string, c: Candidate, windowMinutes: number, threshold: number) {
  const window = sql`make_interval(mins => ${windowMinutes}::int)`;
  return (
    await sql<{ seq: string; at_ms: number }>`with c as (select occurred_at from audit_events where tenant_id = ${tenantId} and seq = ${c.seq}::bigint),
      near as (select a.seq, a.occurred_at from audit_events a, c where a.tenant_id = ${tenantId} and ${sameSubject(rule, c)}
        and a.occurred_at >= c.occurred_at - ${window} and a.occurred_at <= c.occurred_at + ${window}),
      counted as (select seq, occurred_at, count(*) over (order by occurred_at range between ${window} preceding and current row) as n from near)
      select e.seq::text as seq, extract(epoch from e.occurred_at) * 1000 as at_ms from counted e, c
      where e.n > ${threshold} and (e.seq = ${c.seq}::bigint or (e.seq < ${c.seq}::bigint and e.occurred_at > c.occurred_at))
      order by e.occurred_at, e.seq limit ${MAX_WINDOW_ENDS}`.execute(db)
  ).rows.map((r) => ({ seq: r.seq, atMs: Number(r.at_ms) }));
}

/** Which rules a stored event can trigger, and the subject it is counted under. */
function subjectsOf(c: Candidate): [TAlertRuleName, string][] {
  const out: [TAlertRuleName, string][] = [];
  if (c.action === 'LOGIN_FAILED') {
    if (c.actor_id) out.push(['LOGIN_FAILURES_ACCOUNT', c.actor_id]);
    if (c.ip) out.push(['LOGIN_FAILURES_ADDRESS', c.ip]);
  }
  if (c.reason === 'BRANCH_FROZEN' && c.branch_id) out.push(['BRANCH_FROZEN_REFUSALS', c.branch_id]);
  return out;
}

function draftOf(rule: TAlertRuleName, subject: string, label: string | null, counted: Counted, windowStartMs: number): TAlertDraft {
  const range = { from: counted.first_at, to: through(counted.last_at) };
  const filter: TEventsFilter =
    rule === 'LOGIN_FAILURES_ACCOUNT'
      ? { actions: ['LOGIN_FAILED'], actorIds: [subject], ...range }
      : rule === 'LOGIN_FAILURES_ADDRESS'
        ? { actions: ['LOGIN_FAILED'], ips: [subject], ...range }
        : { branchIds: [subject], reasons: ['BRANCH_FROZEN'], ...range };
  return {
    rule,
    subject,
    subjectLabel: label,
    windowStart: iso(windowStartMs),
    firstAt: counted.first_at,
    lastAt: counted.last_at,
    count: counted.count,
    seqs: counted.seqs.map(Number),
    filter,
    details: rule === 'LOGIN_FAILURES_ADDRESS' ? { accounts: counted.accounts } : {},
  };
}

function over(rule: TAlertRuleView, counted: Counted): boolean {
  if (counted.count <= rule.threshold) return false;
  return rule.rule !== 'LOGIN_FAILURES_ADDRESS' || counted.accounts >= rule.minAccounts;
}

async function labelOf(db: Db, tenantId: string, rule: TAlertRuleName, c: Candidate): Promise<string | null> {
  if (rule === 'LOGIN_FAILURES_ACCOUNT') return c.actor_name;
  if (rule === 'LOGIN_FAILURES_ADDRESS') return c.ip;
  const row = (await sql<{ name: string }>`select name from branches where tenant_id = ${tenantId} and id = ${c.branch_id}::uuid`.execute(db)).rows[0];
  return row?.name ?? null;
}

/**
 * Evaluates the count rules (failed sign-ins of an account, from an address; refusals at a frozen
 * branch) on the tenant's stored events after its cursor, in seq order, at most `batch` seqs, in one
 * transaction: the cursor row is locked first (one evaluation of a tenant at a time, whichever worker
 * runs it), the alerts found are inserted, and the cursor moves on only when they are — a crash
 * re-reads the same seqs and the windows (and the unique key) keep it from raising anything twice.
 */
export async function evaluateTenantAlerts(orm: Orm, tenantId: string, opts: { batch: number }): Promise<TAlertEvaluation> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    await sql`insert into alert_cursors (tenant_id) values (${tenantId}) on conflict (tenant_id) do nothing`.execute(db);
    const cursor = Number((await sql<{ seq: string }>`select seq from alert_cursors where tenant_id = ${tenantId} for update`.execute(db)).rows[0]?.seq ?? 0);
    const head = Number((await sql<{ seq: string }>`select seq from chain_heads where tenant_id = ${tenantId}`.execute(db)).rows[0]?.seq ?? 0);
    const upto = Math.min(head, cursor + opts.batch);
    if (upto <= cursor) return { fromSeq: cursor, toSeq: cursor, headSeq: head, raised: [] };

    const rules = await rulesByName(db, tenantId);
    const candidates = (
      await sql<Candidate>`select seq::text as seq, action, reason, actor_id, actor_name, ip, branch_id::text as branch_id,
          extract(epoch from occurred_at) * 1000 as at_ms
        from audit_events
        where tenant_id = ${tenantId} and seq > ${cursor}::bigint and seq <= ${upto}::bigint
          and (action = 'LOGIN_FAILED' or reason = 'BRANCH_FROZEN')
        order by seq`.execute(db)
    ).rows;

    const windows = new SubjectWindows(db, tenantId);
    const raised: TRaisedAlert[] = [];
    for (const c of candidates) {
      const at = Number(c.at_ms);
      for (const [name, subject] of subjectsOf(c)) {
        const rule = rules[name];
        if (!rule.enabled || (await windows.covers(name, subject, at))) continue;
        for (const end of await windowEnds(db, name, tenantId, c, rule.windowMinutes, rule.threshold)) {
          // an event inside a window already raised belongs to that alert: no window of its own ends there
          if (end.seq !== c.seq && (await windows.covers(name, subject, end.atMs))) continue;
          const counted = (await countFor(name, tenantId, c, end.seq, rule.windowMinutes).execute(db)).rows[0];
          if (!counted || !over(rule, counted)) continue;
          const start = await windows.startFor(name, subject, Number(counted.first_ms), end.atMs);
          if (await windows.overlaps(name, subject, start, start + rule.windowMinutes * 60_000)) break;
          await windows.add(name, subject, start, rule.windowMinutes);
          const alert = await insertAlert(db, tenantId, rule, draftOf(name, subject, await labelOf(db, tenantId, name, c), counted, start));
          if (alert) raised.push({ alert, eventIds: await eventIdsOf(db, tenantId, alert.seqs) });
          break;
        }
      }
    }
    await sql`update alert_cursors set seq = ${upto}::bigint, updated_at = now() where tenant_id = ${tenantId}`.execute(db);
    return { fromSeq: cursor, toSeq: upto, headSeq: head, raised };
  });
}
