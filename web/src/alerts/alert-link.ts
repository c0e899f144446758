import type { TAlertView } from '@modula/contracts';
import { logHref } from '../log/log-filters.ts';

const pad = (n: number) => String(n).padStart(2, '0');
/** The browser's own day of an instant (the log's custom range counts days from local midnight). */
function localDay(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * The log filtered to what triggered an alert: the alert's own filter (account, address, branch or
 * device, and the kind of event), over the days its triggering events span. A chain alert has no
 * filter of its own: the log itself, where the integrity badge names the broken seq.
 */
export function alertLogHref(alert: Pick<TAlertView, 'filter' | 'firstAt' | 'lastAt' | 'rule'>): string {
  const f = alert.filter;
  const days =
    alert.rule === 'DEVICE_GAP' || alert.rule === 'CHAIN_BROKEN' ? {} : { range: 'custom' as const, from: localDay(alert.firstAt), to: localDay(alert.lastAt) };
  return logHref({
    ...days,
    ...(f.actions ? { actions: f.actions } : {}),
    ...(f.actorIds ? { actorIds: f.actorIds } : {}),
    ...(f.ips ? { ips: f.ips } : {}),
    ...(f.branchIds ? { branchIds: f.branchIds } : {}),
    ...(f.reasons ? { reasons: f.reasons } : {}),
    ...(f.deviceIds ? { deviceIds: f.deviceIds } : {}),
  });
}
