import type { TEventsFilter } from '@modula/contracts';
import { formatDateTime } from '../common/format-time.ts';
import { humanize, OUTCOME_LABELS, REASON_LABELS } from '../common/labels.ts';

/**
 * The filter an export will use, in words, one line per condition: the Admin confirms what the
 * pack will hold before the service signs it. `branchName` turns ids into names where known.
 */
export function filterSummary(filter: TEventsFilter, branchName: (id: string) => string | undefined = () => undefined): string[] {
  const lines: string[] = [];
  if (filter.from && filter.to) lines.push(`From ${formatDateTime(filter.from)} to ${formatDateTime(filter.to)}`);
  else if (filter.from) lines.push(`From ${formatDateTime(filter.from)} on`);
  else if (filter.to) lines.push(`Up to ${formatDateTime(filter.to)}`);
  else lines.push('All time');
  const list = (label: string, values: string[] | undefined, show: (v: string) => string) => {
    if (values && values.length > 0) lines.push(`${label}: ${values.map(show).join(', ')}`);
  };
  list('Branches', filter.branchIds, (id) => branchName(id) ?? id);
  list('Modules', filter.modules, humanize);
  list('Actions', filter.actions, humanize);
  list('Actors', filter.actorIds, (id) => id);
  list('Outcomes', filter.outcomes, (o) => OUTCOME_LABELS[o as keyof typeof OUTCOME_LABELS] ?? o);
  list('Reasons', filter.reasons, (r) => REASON_LABELS[r as keyof typeof REASON_LABELS] ?? r);
  if (filter.sessionId) lines.push(`Session ${filter.sessionId}`);
  if (filter.credential) lines.push(`Sent with ${filter.credential}`);
  if (filter.entityType) lines.push(`Target type ${filter.entityType}`);
  if (filter.entityId) lines.push(`Target ${filter.entityId}`);
  if (filter.search) lines.push(`Matching “${filter.search}”`);
  return lines;
}
