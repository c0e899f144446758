import { nullAsAbsent, type TAuditEventInput, type TIssue } from '@modula/contracts';
import { v7 as uuidv7 } from 'uuid';
import { backoffDelay, DEFAULT_BACKOFF, retryAfterMs, type TBackoffPolicy } from './backoff.ts';
import { INGEST_BATCH_LIMITS, splitBatches, type TBatchLimits } from './batches.ts';
import { createAuditClient, type AuditClient } from './client.ts';
import { correctDeviceTime, isoWithOffset, measureClockOffset, type TClockSample } from './clock.ts';
import { InvalidAuditEventError, OutboxClosedError, RetryLaterError } from './errors.ts';
import type { TAuditOutboxOptions, TReachability, TRecordInput, TSyncReport } from './outbox-options.ts';
import { applyOp, idKey, replay, snapshotOps, type TDeadLetter, type TJournalOp, type TOutboxState } from './outbox-state.ts';
import type { TOutboxStore } from './outbox-store.ts';
import { localIssues } from './validate-event.ts';

/**
 * How the `dir` option becomes a store. The Node entry (`@modula/sdk`) installs the file journal;
 * the browser entry (`@modula/sdk/browser`) does not, so a browser bundle never pulls in node:fs.
 */
let storeForDir: ((dir: string) => TOutboxStore) | null = null;
export function useDirectoryStore(factory: (dir: string) => TOutboxStore): void {
  storeForDir = factory;
}

/**
 * The durable outbox of a till (or any process) that must not lose an audit event while the
 * service is unreachable. `record()` resolves only once the event is in durable storage; a sender
 * delivers pending events in batches whenever the service answers, removes them only when the
 * service acknowledged them, and keeps refused ones as dead letters for the app to read. A new
 * outbox on the same storage resumes the pending events and the device's counter.
 *
 * ```ts
 * const outbox = await AuditOutbox.open({ url, apiKey, tenantId, deviceId: 'till-7', dir: '/var/lib/pos/audit' });
 * await outbox.record({ action: 'SALE_FINALIZED', outcome: 'SUCCESS', branchId, actor: { type: 'USER', id: 'u7', role: 'CASHIER' } });
 * ```
 */
export class AuditOutbox {
  /** The typed tRPC client the outbox sends with (also for `ingest.status` and the rest of the API). */
  readonly client: AuditClient;
  private readonly opts: Required<
    Pick<TAuditOutboxOptions, 'syncIntervalMs' | 'flushDelayMs' | 'clockToleranceMs' | 'requestTimeoutMs' | 'compactEvery' | 'autoSync'>
  >;
  private readonly backoff: TBackoffPolicy;
  private readonly batchLimits: TBatchLimits;
  private readonly clock: () => number;
  private readonly abort = new AbortController();
  private offset: TClockSample | null = null;
  private reach: TReachability = 'unknown';
  private closed = false;
  private failures = 0;
  /** No send before this (performance.now() ms): the service's last Retry-After. */
  private notBefore = 0;
  private lastError: Error | undefined;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerDueAt = Infinity;
  private running: Promise<TSyncReport> | null = null;
  private inflight = new Set<Promise<void>>();
  /** eventIds whose record() is writing them right now. */
  private recording = new Set<string>();
  private compacting: Promise<void> | null = null;
  private journalOps: number;

  private constructor(
    private readonly options: TAuditOutboxOptions,
    private readonly store: TOutboxStore,
    private readonly state: TOutboxState & { deviceId: string },
    loadedOps: number,
  ) {
    this.client = createAuditClient({
      url: options.url,
      apiKey: options.apiKey,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.allowInsecureHttp ? { allowInsecureHttp: true } : {}),
    });
    this.opts = {
      syncIntervalMs: options.syncIntervalMs ?? 60_000,
      flushDelayMs: options.flushDelayMs ?? 50,
      clockToleranceMs: options.clockToleranceMs ?? 1000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      compactEvery: options.compactEvery ?? 1000,
      autoSync: options.autoSync ?? true,
    };
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.batchLimits = { ...INGEST_BATCH_LIMITS, ...options.batch };
    this.clock = options.clock ?? Date.now;
    this.journalOps = loadedOps;
  }

  /**
   * Opens the outbox on its storage (replaying the journal), makes a first contact with the
   * service (at most `startupProbeMs`) and starts the background sender.
   */
  static async open(options: TAuditOutboxOptions): Promise<AuditOutbox> {
    const store = options.store ?? (options.dir && storeForDir ? storeForDir(options.dir) : undefined);
    if (!store) throw new Error('AuditOutbox needs durable storage: pass `dir` (Node entry) or `store` (e.g. IndexedDbOutboxStore in a browser)');
    const ops = await store.open();
    try {
      const state = replay(ops);
      if (state.deviceId !== null && options.deviceId !== undefined && options.deviceId !== state.deviceId) {
        throw new Error(`this outbox belongs to device ${JSON.stringify(state.deviceId)}, not ${JSON.stringify(options.deviceId)}`);
      }
      if (state.deviceId === null) {
        const meta: TJournalOp = { t: 'meta', deviceId: options.deviceId ?? uuidv7(), lastSeq: 0 };
        await store.append([meta]);
        applyOp(state, meta);
        ops.push(meta);
      }
      const outbox = new AuditOutbox(options, store, state as TOutboxState & { deviceId: string }, ops.length);
      await outbox.probe(options.startupProbeMs ?? 2000);
      if (outbox.opts.autoSync) outbox.schedule(0);
      return outbox;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  /** This device's id, as put in `context.deviceId`. */
  get deviceId(): string {
    return this.state.deviceId;
  }

  /** The last deviceSeq given out (the next event gets this + 1). */
  get lastDeviceSeq(): number {
    return this.state.lastSeq;
  }

  /** Whether the last contact with the service worked. Events recorded while `offline` get `context.offline: true`. */
  get reachability(): TReachability {
    return this.reach;
  }

  /** The last measured offset of the device clock (service − device, ms), or null before the first contact. */
  get clockOffsetMs(): number | null {
    return this.offset?.offsetMs ?? null;
  }

  /**
   * Completes the event, checks it against the contracts' schema (throws `InvalidAuditEventError`
   * with the issues at once; such an event never enters the outbox), gives it the device's next
   * number and writes it to durable storage. Resolves with the event exactly as it will be sent
   * once it is safe on disk; sending happens later, in the background or at `flush()`.
   * `eventId`, `tenantId` and `branchId` are lower-cased, the spelling the service stores.
   *
   * Clock: with the offset known, `occurredAt` is the device time corrected by it and
   * `metadata.clock = { deviceTime, offsetMs }` keeps the raw device time (only when the offset
   * exceeds `clockToleranceMs`). An event recorded before any measurement is corrected the same
   * way just before its first send. The outbox owns `metadata.clock`.
   */
  async record(sent: TRecordInput): Promise<TAuditEventInput> {
    this.assertOpen();
    // an app that writes null for an unset optional field means it absent, as the service reads it
    const input = nullAsAbsent(sent) as TRecordInput;
    const sealed = input.occurredAt !== undefined || this.offset !== null;
    const timing =
      input.occurredAt !== undefined
        ? { occurredAt: input.occurredAt }
        : correctDeviceTime(isoWithOffset(this.clock()), this.offset?.offsetMs ?? null, this.opts.clockToleranceMs);
    const offline = input.context?.offline ?? (this.reach === 'offline' ? true : undefined);
    const build = (deviceSeq: number): TAuditEventInput =>
      ({
        ...input,
        // ids in the one spelling the service stores and answers with: its acknowledgement must
        // match the outbox's entry, and two spellings of one id are one event (CONTRACT)
        eventId: lowerId(input.eventId ?? uuidv7()),
        tenantId: lowerId(input.tenantId ?? this.options.tenantId),
        ...(input.branchId ? { branchId: lowerId(input.branchId) } : {}),
        occurredAt: timing.occurredAt,
        ...(timing.clock ? { metadata: { ...input.metadata, clock: timing.clock } } : {}),
        context: { ...input.context, ...(offline !== undefined ? { offline } : {}), deviceId: this.state.deviceId, deviceSeq },
      }) as TAuditEventInput;
    let event = build(this.state.lastSeq + 1);
    const issues = localIssues(event);
    if (!sealed && issues.length === 0) issues.push(...roomForClock(event));
    const eventId = event.eventId;
    if (this.state.pending.has(eventId) || this.state.deadLetters.has(eventId) || this.recording.has(eventId)) {
      issues.push({ path: ['eventId'], message: 'is already in this outbox' });
    }
    if (issues.length > 0) throw new InvalidAuditEventError(issues);

    this.recording.add(eventId);
    try {
      while (this.compacting) await this.compacting;
      this.assertOpen();
      // claimed synchronously, so concurrent records get distinct, increasing numbers; a write that
      // fails leaves its number unused, which the service then reports as a gap (nothing was recorded)
      this.state.lastSeq += 1;
      event = { ...event, context: { ...event.context, deviceSeq: this.state.lastSeq } };
      await this.write([{ t: 'add', event, sealed }]);
    } finally {
      this.recording.delete(eventId);
    }
    this.scheduleSoon();
    return structuredClone(event);
  }

  /**
   * Sends everything pending now (measuring the clock first). Resolves with the report when the
   * outbox is empty of what was recorded before the call; rejects with the error when the service
   * cannot be reached or refuses the request as a whole (the background sender then retries).
   */
  async flush(): Promise<Extract<TSyncReport, { ok: true }>> {
    this.assertOpen();
    if (this.running) await this.running;
    const wait = this.notBefore - this.clockNow();
    if (wait > 0) throw new RetryLaterError(wait, this.lastError);
    const report = await this.runSync();
    if (!report.ok) throw report.error;
    return report;
  }

  /** The events waiting for the service's acknowledgement, oldest first. */
  pending(): TAuditEventInput[] {
    return [...this.state.pending.values()].map((e) => structuredClone(e.event));
  }

  /** The events the service refused, with its issues. They stay until `removeDeadLetters()`. */
  deadLetters(): TDeadLetter[] {
    return [...this.state.deadLetters.values()].map((d) => structuredClone(d));
  }

  /** Removes dead letters the app has dealt with (corrected and re-recorded, or reported). */
  async removeDeadLetters(eventIds: string[]): Promise<void> {
    this.assertOpen();
    await this.write([{ t: 'forget', ids: eventIds }]);
  }

  /**
   * Stops the sender (a request under way is abandoned: if the service had already acknowledged
   * it, the resend after the next open is a no-op thanks to the eventId), waits for writes under
   * way and releases the storage. Pending events stay for the next outbox on the same storage.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearTimer();
    this.abort.abort(new OutboxClosedError());
    await this.running?.catch(() => undefined);
    await this.compacting?.catch(() => undefined);
    await Promise.allSettled([...this.inflight]);
    await this.store.close();
  }

  // --- the sender ---

  private requestSignal(): AbortSignal {
    return AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.requestTimeoutMs)]);
  }

  private async probe(timeoutMs: number): Promise<void> {
    try {
      this.offset = await measureClockOffset(this.client, this.clock, AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]));
      this.reach = 'online';
    } catch {
      this.reach = 'offline';
    }
  }

  /** One sync at a time; a second caller shares the one under way. */
  private runSync(): Promise<TSyncReport> {
    this.running ??= this.syncOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async syncOnce(): Promise<TSyncReport> {
    let report: TSyncReport;
    try {
      report = await this.sendAll();
      this.failures = 0;
      if (this.opts.autoSync && !this.closed) this.schedule(report.pending > 0 ? 0 : this.opts.syncIntervalMs, true);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (!this.closed) this.reach = isUnreachable(error) ? 'offline' : this.reach;
      this.failures += 1;
      // a service that said how long to wait (429 or 503 with Retry-After) is not asked again sooner
      const asked = retryAfterMs(error);
      if (asked !== null) {
        this.notBefore = this.clockNow() + asked;
        this.lastError = error;
      }
      const retryInMs = this.closed ? null : Math.max(backoffDelay(this.failures, this.backoff), asked ?? 0);
      if (retryInMs !== null && this.opts.autoSync) this.schedule(retryInMs, true);
      report = { ok: false, error, pending: this.state.pending.size, retryInMs };
    }
    try {
      this.options.onSync?.(report);
    } catch {
      // the app's callback never stops the sender
    }
    return report;
  }

  private async sendAll(): Promise<Extract<TSyncReport, { ok: true }>> {
    const sample = await measureClockOffset(this.client, this.clock, this.requestSignal());
    this.offset = sample;
    this.reach = 'online';
    let accepted = 0;
    let rejected = 0;
    for (;;) {
      this.assertOpen();
      const [batch] = splitBatches([...this.state.pending.values()], this.batchLimits, (e) => jsonSize(e.event));
      if (!batch) break;
      const events = await this.seal(batch, sample);
      const result = await this.client.ingest.batch.mutate({ events }, { signal: this.requestSignal() });
      const rejectedAt = isoWithOffset(this.clock());
      const dead = result.rejected.flatMap((r) => {
        const event = events[r.index];
        return event ? [{ eventId: event.eventId, issues: r.issues, rejectedAt, event }] : [];
      });
      // the service answers ids in lower case; events journalled before record() lower-cased ids may not be
      const sentIds = new Set(events.map((e) => idKey(e.eventId)));
      const ackIds = result.accepted.filter((id) => sentIds.has(idKey(id)));
      if (ackIds.length + dead.length === 0) throw new Error('the service answered ingest.batch without judging any event');
      const ops: TJournalOp[] = [{ t: 'ack', ids: ackIds }];
      if (dead.length > 0) ops.push({ t: 'dead', items: dead });
      await this.write(ops);
      accepted += ackIds.length;
      rejected += dead.length;
    }
    await this.maybeCompact();
    return { ok: true, accepted, rejected, pending: this.state.pending.size, offsetMs: sample.offsetMs, rttMs: sample.rttMs };
  }

  /** Fixes the content of events recorded before the clock was measured, durably, before their first send. */
  private async seal(batch: { event: TAuditEventInput; sealed: boolean }[], sample: TClockSample): Promise<TAuditEventInput[]> {
    const sealing: TAuditEventInput[] = [];
    const events = batch.map((entry) => {
      if (entry.sealed) return entry.event;
      const timing = correctDeviceTime(entry.event.occurredAt, sample.offsetMs, this.opts.clockToleranceMs);
      const event = timing.clock ? { ...entry.event, occurredAt: timing.occurredAt, metadata: { ...entry.event.metadata, clock: timing.clock } } : entry.event;
      sealing.push(event); // unchanged ones too: from now on their content is final
      return event;
    });
    if (sealing.length > 0) await this.write([{ t: 'seal', events: sealing }]);
    return events;
  }

  // --- the journal ---

  /** Appends records durably, then applies them to the state (compaction waits for both). */
  private async write(ops: TJournalOp[]): Promise<void> {
    while (this.compacting) await this.compacting;
    const done = this.store.append(ops).then(() => {
      for (const op of ops) applyOp(this.state, op);
      this.journalOps += ops.length;
    });
    this.inflight.add(done);
    try {
      await done;
    } finally {
      this.inflight.delete(done);
    }
  }

  private async maybeCompact(): Promise<void> {
    if (this.compacting || this.journalOps < this.opts.compactEvery) return;
    this.compacting = (async () => {
      await Promise.allSettled([...this.inflight]);
      const ops = snapshotOps(this.state);
      await this.store.compact(ops);
      this.journalOps = ops.length;
    })().finally(() => {
      this.compacting = null;
    });
    await this.compacting;
  }

  // --- scheduling ---

  private scheduleSoon(): void {
    if (!this.opts.autoSync || this.closed || this.failures > 0) return; // a backoff wait is under way
    this.schedule(this.opts.flushDelayMs);
  }

  /** Runs a background sync in `ms`, unless one is due sooner (or `replace`: exactly then). */
  private schedule(ms: number, replace = false): void {
    if (this.closed) return;
    const dueAt = this.clockNow() + ms;
    if (!replace && this.timer && this.timerDueAt <= dueAt) return;
    this.clearTimer();
    this.timerDueAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerDueAt = Infinity;
      if (this.running) return; // it reschedules when it ends
      void this.runSync();
    }, ms);
    // a till's app keeps itself alive; the outbox alone must not keep a script from exiting
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerDueAt = Infinity;
  }

  private clockNow(): number {
    return performance.now();
  }

  private assertOpen(): void {
    if (this.closed) throw new OutboxClosedError();
  }
}

/** A string id lower-cased; anything else is left for the schema to refuse with its path. */
function lowerId<T>(id: T): T {
  return (typeof id === 'string' ? id.toLowerCase() : id) as T;
}

function jsonSize(event: TAuditEventInput): number {
  return new TextEncoder().encode(JSON.stringify(event)).length;
}

/** No HTTP answer at all (refused, reset, DNS, timeout) as opposed to an answer with an error. */
function isUnreachable(error: Error): boolean {
  const data = (error as { data?: { httpStatus?: number } }).data;
  return data?.httpStatus === undefined || data.httpStatus >= 502;
}

/**
 * The issues of an event not sealed yet once `seal` adds `metadata.clock` (a device clock found off
 * at the first sync): refused now, while the app can still hear it, not dead-lettered by the
 * service after the app was told it was recorded. The offset is taken at its longest.
 */
function roomForClock(event: TAuditEventInput): TIssue[] {
  const clock = { deviceTime: event.occurredAt, offsetMs: -Number.MAX_SAFE_INTEGER };
  return localIssues({ ...event, metadata: { ...event.metadata, clock } }).map((issue) => ({
    ...issue,
    message: `${issue.message} (once metadata.clock is added: the outbox adds it when this device's clock is found off at its first sync)`,
  }));
}
