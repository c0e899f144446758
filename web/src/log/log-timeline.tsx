import { Box, Group, Paper, Text, Tooltip, UnstyledButton } from '@mantine/core';
import type { TEventsFilter } from '@modula/contracts';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../app/trpc.ts';
import { viewerTimeZone } from '../common/format-time.ts';
import type { TLogFilters } from './log-filters.ts';

const dayLabel = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
const label = (day: string) => dayLabel.format(new Date(`${day}T00:00:00Z`));

/**
 * How many events of the current filter happened on each day (of the viewer's time zone), above the
 * list: `events.timeline` sums hourly counts, it never counts the log. A day's bar narrows the log to
 * that day.
 */
export function LogTimeline({ filter, onPickDay }: { filter: TEventsFilter; onPickDay: (patch: Partial<TLogFilters>) => void }) {
  const trpc = useTRPC();
  const timeZone = viewerTimeZone();
  const query = useQuery(trpc.events.timeline.queryOptions({ ...filter, timeZone }, { staleTime: 30_000 }));
  if (!query.data) return null;
  const { days, total, complete, countedFrom } = query.data;
  const max = Math.max(1, ...days.map((d) => d.count));
  return (
    <Paper withBorder p="xs" component="figure" m={0} aria-label="Events per day" data-testid="log-timeline">
      <Group justify="space-between" mb={4}>
        <Text size="xs" c="dimmed" component="figcaption">
          {total.toLocaleString()} events, {label(days[0]?.day ?? '')} – {label(days.at(-1)?.day ?? '')} ({timeZone})
          {!complete && countedFrom ? ` · days before ${new Date(countedFrom).toLocaleDateString()} not fully counted` : ''}
        </Text>
      </Group>
      <Group gap={2} align="flex-end" wrap="nowrap" h={48} style={{ overflowX: 'auto' }}>
        {days.map((d) => (
          <Tooltip key={d.day} label={`${label(d.day)}: ${d.count.toLocaleString()} events`} openDelay={150}>
            <UnstyledButton
              aria-label={`${label(d.day)}: ${d.count} events — show this day`}
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
