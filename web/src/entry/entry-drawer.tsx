import { Drawer, Group, Loader, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTRPC } from '../app/trpc.ts';
import { ErrorState } from '../common/error-state.tsx';
import { useBranches } from '../log/use-branches.ts';
import { EntryDetails } from './entry-details.tsx';
import { useTranslation } from 'react-i18next';

/** The entry of the log named in the URL (`?event=<id>`), in a drawer that Escape, the close button or Back closes. */
export function EntryDrawer({ eventId, onClose }: { eventId: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const { byId } = useBranches();
  // keep showing the last entry while the drawer slides away
  const [shownId, setShownId] = useState(eventId);
  useEffect(() => {
    if (eventId) setShownId(eventId);
  }, [eventId]);
  const id = eventId ?? shownId;
  // a phone's screen is too narrow for a side panel: the entry takes all of it
  const phone = useMediaQuery('(max-width: 47.99em)', undefined, { getInitialValueInEffect: false });
  const entry = useQuery(trpc.events.get.queryOptions({ id: id ?? '' }, { enabled: id !== null }));
  return (
    <Drawer
      opened={eventId !== null}
      onClose={onClose}
      position="right"
      size={phone ? '100%' : 'xl'}
      title={<Text fw={600}>{entry.data ? t('entry.titleSeq', { seq: entry.data.seq }) : t('entry.title')}</Text>}
      closeButtonProps={{ 'aria-label': t('entry.close') }}
    >
      {entry.isPending && (
        <Group justify="center" py="xl" role="status">
          <Loader size="sm" />
          <Text size="sm" c="dimmed">
            {t('entry.loading')}
          </Text>
        </Group>
      )}
      {entry.isError && <ErrorState error={entry.error} what={t('entry.thisEntry')} onRetry={() => void entry.refetch()} />}
      {entry.data && <EntryDetails event={entry.data} branch={entry.data.branchId ? byId.get(entry.data.branchId) : undefined} />}
    </Drawer>
  );
}
