import { Button, Group, Stack, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { EntryDrawer } from '../entry/entry-drawer.tsx';
import { ExportDialog } from '../exports/export-dialog.tsx';
import { eventsFilterOf } from './date-range.ts';
import { FilterBar } from './filter-bar.tsx';
import { countFilters, EMPTY_FILTERS } from './log-filters.ts';
import { LogResults } from './log-results.tsx';
import { LogTimeline } from './log-timeline.tsx';
import { SavedViewsMenu } from './saved-views-menu.tsx';
import { useLogFilters } from './use-log-filters.ts';

/** The audit log: filters, the matching events newest first, the entry drawer, and exports of what is shown. */
export function LogPage() {
  const { t } = useTranslation();
  const { filters, setFilters, clearFilters, openEventId, openEvent, closeEvent } = useLogFilters();
  const [params] = useSearchParams();
  const [exporting, setExporting] = useState(false);
  // "Today" means today when the filters were set (a stable query key), not a moving instant
  const input = useMemo(() => eventsFilterOf(filters, new Date()), [filters]);
  const entryHref = (id: string) => {
    const next = new URLSearchParams(params);
    next.set('event', id);
    return `?${next.toString()}`;
  };
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={2} size="h3">
          {t('log.title')}
        </Title>
        <Group gap="xs">
          <SavedViewsMenu filters={filters} onOpen={(view) => setFilters({ ...EMPTY_FILTERS, ...view })} />
          <Button variant="light" onClick={() => setExporting(true)}>
            {t('log.export')}
          </Button>
        </Group>
      </Group>
      <FilterBar filters={filters} onChange={setFilters} onClear={clearFilters} />
      <LogTimeline filter={input} onPickDay={setFilters} />
      <LogResults input={input} filtered={countFilters(filters) > 0} selectedId={openEventId} entryHref={entryHref} onOpen={openEvent} onClear={clearFilters} />
      <EntryDrawer eventId={openEventId} onClose={closeEvent} />
      <ExportDialog opened={exporting} onClose={() => setExporting(false)} filter={input} />
    </Stack>
  );
}
