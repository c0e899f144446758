import type { TEventsFilter } from '@modula/contracts';
import { formatDateTime } from '../common/format-time.ts';
import { humanize } from '../common/labels.ts';
import { englishText, type TTranslate } from '../i18n/english.ts';

/**
 * The filter an export will use, in words, one line per condition: the Admin confirms what the
 * pack will hold before the service signs it. `branchName` turns ids into names where known; `t`
 * says it in the viewer's language (English by default).
 */
export function filterSummary(filter: TEventsFilter, branchName: (id: string) => string | undefined = () => undefined, t: TTranslate = englishText): string[] {
  const lines: string[] = [];
  if (filter.from && filter.to) lines.push(t('exports.fromTo', { from: formatDateTime(filter.from), to: formatDateTime(filter.to) }));
  else if (filter.from) lines.push(t('exports.fromOn', { from: formatDateTime(filter.from) }));
  else if (filter.to) lines.push(t('exports.upTo', { to: formatDateTime(filter.to) }));
  else lines.push(t('exports.allTime'));
  const list = (key: string, values: string[] | undefined, show: (v: string) => string) => {
    if (values && values.length > 0) lines.push(t(key, { list: values.map(show).join(', ') }));
  };
  list('exports.branches', filter.branchIds, (id) => branchName(id) ?? id);
  list('exports.modules', filter.modules, (m) => t(`module.${m}`));
  list('exports.actions', filter.actions, humanize);
  list('exports.actors', filter.actorIds, (id) => id);
  list('exports.outcomes', filter.outcomes, (o) => t(`outcome.${o}`));
  list('exports.reasons', filter.reasons, (r) => t(`reason.${r}`));
  if (filter.sessionId) lines.push(t('exports.session', { id: filter.sessionId }));
  if (filter.credential) lines.push(t('exports.credential', { id: filter.credential }));
  if (filter.entityType) lines.push(t('exports.targetType', { id: filter.entityType }));
  if (filter.entityId) lines.push(t('exports.target', { id: filter.entityId }));
  if (filter.search) lines.push(t('exports.matching', { search: filter.search }));
  return lines;
}
