import { Box, Group, Paper, Text, Tooltip, UnstyledButton } from '@mantine/core';
import type { TEventsFilter } from '@modula/contracts';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../app/trpc.ts';
import { useTranslation } from 'react-i18next';
import { formatDate, formatDay, formatNumber } from '../common/format-time.ts';
import { browserTimeZone } from '../i18n/time-zone-choice.ts';
import type { TLogFilters } from './log-filters.ts';

const label = formatDay;

/**
 * How many events of the current filter happened on each day (of the viewer's time zone), above the
 * list: `events.timeline` sums hourly counts, it never counts the log. A day's bar narrows the log to
 * that day.
 */
export function LogTimeline({ filter, onPickDay }: { filter: TEventsFilter; onPickDay: (patch: Partial<TLogFilters>) => void }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  // days of the browser's zone, as the date filters a day's bar sets (even when rows show the tenant's zone)
  const timeZone = browserTimeZone();
  const query = useQuery(trpc.events.timeline.queryOptions({ ...filter, timeZone }, { staleTime: 30_000 }));
  if (!query.data) return null;
  const { days, total, complete, countedFrom } = query.data;
  const max = Math.max(1, ...days.map((d) => d.count));
  return (
    <Paper withBorder p="xs" component="figure" m={0} aria-label={t('log.perDay')} data-testid="log-timeline">
      <Group justify="space-between" mb={4}>
        <Text size="xs" c="dimmed" component="figcaption">
          {t('log.timelineSummary', {
            count: total,
            n: formatNumber(total),
            from: label(days[0]?.day ?? ''),
            to: label(days.at(-1)?.day ?? ''),
            zone: timeZone,
          })}
          {!complete && countedFrom ? t('log.notFullyCounted', { date: formatDate(countedFrom) }) : ''}
        </Text>
      </Group>
      <Group gap={2} align="flex-end" wrap="nowrap" h={48} style={{ overflowX: 'auto' }}>
        {days.map((d) => (
          <Tooltip key={d.day} label={t('log.dayCount', { count: d.count, n: formatNumber(d.count), day: label(d.day) })} openDelay={150}>
            <UnstyledButton
              aria-label={t('log.dayShow', { count: d.count, n: formatNumber(d.count), day: label(d.day) })}
              data-testid="timeline-day"
              data-day={d.day}
              data-count={d.count}
              onClick={() => onPickDay({ range: 'custom', from: d.day, to: d.day })}
              style={{ flex: '1 1 0', minWidth: 4, height: '100%', display: 'flex', alignItems: 'flex-end' }}
            >
              <Box
                w="100%"
                h={d.count === 0 ? 1 : `${Math.max(6, (d.count / max) * 100)}%`}
                bg={d.count === 0 ? 'gray.3' : 'blue.7'}
                style={{ borderRadius: 2 }}
              />
            </UnstyledButton>
          </Tooltip>
        ))}
      </Group>
    </Paper>
  );
}
