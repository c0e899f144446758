import type { TAction, TAuditEventInput } from '@modula/contracts';
import { v7 as uuidv7 } from 'uuid';

/** A valid event of the tenant; override any field. */
export function makeEvent(tenantId: string, overrides: Partial<TAuditEventInput> & Record<string, unknown> = {}): TAuditEventInput {
  return {
    eventId: uuidv7(),
    tenantId,
    action: 'POLICY_UPDATED' as TAction,
    outcome: 'SUCCESS',
    actor: { type: 'USER', id: 'user-1', role: 'MANAGER', name: 'Maria Manager' },
    entity: { type: 'POLICY', id: 'pol-1', label: 'Refund policy' },
    occurredAt: new Date().toISOString(),
    ...overrides,
  } as TAuditEventInput;
}

export function provisionBranch(
  tenantId: string,
  branchId: string,
  occurredAt = new Date(Date.now() - 86_400_000).toISOString(),
  name = 'Main Street',
): TAuditEventInput {
  return makeEvent(tenantId, {
    action: 'BRANCH_PROVISIONED',
    branchId,
    occurredAt,
    entity: { type: 'BRANCH', id: branchId, label: name },
    actor: { type: 'SYSTEM', name: 'Provisioning' },
  });
}

export function sale(tenantId: string, branchId: string, occurredAt: string, overrides: Partial<TAuditEventInput> = {}): TAuditEventInput {
  return makeEvent(tenantId, {
    action: 'SALE_FINALIZED',
    branchId,
    occurredAt,
    actor: { type: 'USER', id: 'cashier-7', role: 'CASHIER', name: 'Carl Cashier' },
    entity: { type: 'INVOICE', id: `inv-${Math.random().toString(36).slice(2, 8)}`, label: 'INV-1042' },
    after: { total: 42.5, currency: 'EUR' },
    ...overrides,
  });
}

/** POSTs a tRPC mutation as a device would; returns status and parsed body. */
export async function postTrpc(baseUrl: string, path: string, body: unknown, apiKey?: string, rawBody?: string) {
  const res = await fetch(`${baseUrl}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: rawBody ?? JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

export async function getTrpc(baseUrl: string, path: string, input: unknown, apiKey?: string) {
  const res = await fetch(`${baseUrl}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, {
    headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
