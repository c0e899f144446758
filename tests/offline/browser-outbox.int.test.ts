import type { TAuditEventInput } from '@modula/contracts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleBrowserSdk } from '../../packages/sdk/scripts/bundle-browser.ts';
import { eventually } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { launchChromium } from '../browser/browser.ts';
import { storedRows, tillTenant, unreachableUrl } from './offline.ts';

let stack: TestStack;
let browser: Browser;
let bundle: string;

beforeAll(async () => {
  [stack, browser, bundle] = await Promise.all([startStack(), launchChromium(), bundleBrowserSdk()]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** A blank page on the service's origin (so /trpc is same-origin) with the browser SDK loaded. */
async function tillPage(page: Page): Promise<void> {
  await page.route(`${stack.baseUrl}/till`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>till</title>' }));
  await page.goto(`${stack.baseUrl}/till`);
  await page.addScriptTag({ content: bundle });
}

interface TPageRun {
  events: TAuditEventInput[];
  pending: number;
  accepted?: number;
  busy?: string;
  offline?: string;
}

describe('the browser outbox in headless Chromium (IndexedDB, Web Locks)', () => {
  it('records while offline, survives a page reload, then delivers every event once', async () => {
    const tenant = await tillTenant(stack, 'Browser till'); // a till sells at its (provisioned) branch
    const context = await browser.newContext();
    const page = await context.newPage();
    const args = { ...tenant, offlineUrl: await unreachableUrl() };

    await tillPage(page);
    const offline = await page.evaluate(async ({ tenantId, apiKey, branchId, offlineUrl }): Promise<TPageRun> => {
      const { AuditOutbox, IndexedDbOutboxStore } = (window as any).ModulaSdk;
      const open = (url: string) =>
        AuditOutbox.open({
          url,
          apiKey,
          tenantId,
          deviceId: 'web-till-1',
          store: new IndexedDbOutboxStore({ name: 'web-till-1' }),
          autoSync: false,
          startupProbeMs: 1000,
        });
      const outbox = await open(offlineUrl);
      const events = [];
      for (let n = 1; n <= 5; n++)
        events.push(
          await outbox.record({
            action: 'SALE_FINALIZED',
            outcome: 'SUCCESS',
            branchId,
            actor: { type: 'USER', id: 'cashier-1', role: 'CASHIER' },
            after: { total: n },
          }),
        );
      const busy = await open(offlineUrl).then(
        () => 'opened twice',
        (e: Error) => e.name,
      );
      const offlineError = await outbox.flush().then(
        () => 'sent',
        (e: Error) => e.message,
      );
      const pending = outbox.pending().length;
      await outbox.close();
      return { events, pending, busy, offline: offlineError };
    }, args);
    expect(offline.pending).toBe(5);
    expect(offline.busy).toBe('OutboxBusyError');
    expect(offline.offline).not.toBe('sent');
    expect(offline.events.map((e) => e.context)).toEqual([1, 2, 3, 4, 5].map((deviceSeq) => ({ deviceId: 'web-till-1', deviceSeq, offline: true })));

    await page.reload();
    await page.addScriptTag({ content: bundle });
    const online = await page.evaluate(async ({ tenantId, apiKey, branchId }): Promise<TPageRun> => {
      const { AuditOutbox, IndexedDbOutboxStore } = (window as any).ModulaSdk;
      const outbox = await AuditOutbox.open({
        url: location.origin,
        apiKey,
        tenantId,
        store: new IndexedDbOutboxStore({ name: 'web-till-1' }),
        autoSync: false,
      });
      const more = await outbox.record({
        action: 'CASH_SESSION_CLOSED',
        outcome: 'SUCCESS',
        branchId,
        actor: { type: 'USER', id: 'cashier-1', role: 'CASHIER' },
      });
      const report = await outbox.flush();
      const pending = outbox.pending().length;
      await outbox.close();
      return { events: [more], pending, accepted: report.accepted };
    }, args);
    expect(online).toMatchObject({ pending: 0, accepted: 6 });
    expect(online.events[0]!.context).toEqual({ deviceId: 'web-till-1', deviceSeq: 6 });

    const rows = await eventually(async () => {
      const r = await storedRows(stack, tenant.tenantId);
      return r.length >= 1 + 6 ? r : undefined;
    });
    // the branch's provisioning first, then every recorded event once
    expect(rows[0]!.event_id).toBe(tenant.provisionedEventId);
    expect(
      rows
        .slice(1)
        .map((r) => r.event_id)
        .sort(),
    ).toEqual([...offline.events, ...online.events].map((e) => e.eventId).sort());
    for (const event of offline.events) {
      expect(rows.find((r) => r.event_id === event.eventId)!.occurred_at.getTime()).toBe(Date.parse(event.occurredAt));
    }
    await context.close();
  });
});
