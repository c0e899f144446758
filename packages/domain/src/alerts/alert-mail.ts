import { ALERT_DELIVERY_CAP, type TAlertView } from '@modula/contracts';
import type { TMail } from '../exports/export-mail.ts';
import { alertSummary } from './alert-raise.ts';

/**
 * The alert's mail: what happened, to what, how often, in which window, and where to look (the
 * viewer's Alerts screen and the log filtered to the triggering events — links that ask the reader
 * to sign in: nothing secret is in the mail).
 */
export function alertMail(alert: TAlertView, tenantName: string, origin: string, to: string): TMail {
  const summary = alertSummary(alert);
  const windowEnd = new Date(Date.parse(alert.windowStart) + alert.windowMinutes * 60_000).toISOString();
  const log = new URL('/', origin);
  const f = alert.filter;
  if (f.actions?.[0]) log.searchParams.set('action', f.actions[0]);
  if (f.actorIds?.[0]) log.searchParams.set('actor', f.actorIds[0]);
  if (f.ips?.[0]) log.searchParams.set('ip', f.ips[0]);
  if (f.branchIds?.[0]) log.searchParams.set('branch', f.branchIds[0]);
  if (f.deviceIds?.[0]) log.searchParams.set('device', f.deviceIds[0]);
  return {
    to,
    subject: `Audit alert: ${summary} (${tenantName})`,
    text: [
      `Modula Audit raised an alert for ${tenantName}:`,
      '',
      `  ${summary[0]?.toUpperCase()}${summary.slice(1)}.`,
      '',
      `Rule:      ${alert.rule} (more than ${alert.threshold} within ${alert.windowMinutes} minutes)`,
      `Subject:   ${alert.subjectLabel ?? alert.subject}${alert.subjectLabel && alert.subjectLabel !== alert.subject ? ` (${alert.subject})` : ''}`,
      `Count:     ${alert.count}`,
      `Events:    ${alert.firstAt} to ${alert.lastAt}${alert.seqs.length > 0 ? ` (seq ${alert.seqs.slice(0, 10).join(', ')}${alert.seqs.length > 10 ? ', …' : ''})` : ''}`,
      `Window:    ${alert.windowStart} to ${windowEnd} (no other alert of this rule and subject until then)`,
      '',
      `See it (sign in as an Admin of ${tenantName}): ${new URL('/alerts', origin).toString()}`,
      `The events in the log: ${log.toString()}`,
      '',
      ...(alert.lastBeforeHold
        ? [
            `This is the ${ALERT_DELIVERY_CAP.alerts}th alert of rule ${alert.rule} within ${ALERT_DELIVERY_CAP.minutes} minutes: further alerts of it`,
            'are held — recorded in the log and shown on the Alerts screen, not mailed or posted — until fewer',
            `than ${ALERT_DELIVERY_CAP.alerts} were sent in the last ${ALERT_DELIVERY_CAP.minutes} minutes. So many at once may mean a stolen key or an attack: look now.`,
            '',
          ]
        : []),
      `Alert ${alert.id}, also recorded in the audit log as ALERT_RAISED.`,
      '',
      '— Modula Audit',
    ].join('\n'),
  };
}
