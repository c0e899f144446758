import { Button, Group, Menu, Modal, Stack, Text, TextInput } from '@mantine/core';
import type { TSavedView } from '@modula/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../app/trpc.ts';
import type { TLogFilters } from './log-filters.ts';
import { filtersOfSavedView, savedViewOf } from './saved-view.ts';

/**
 * The Admin's saved views of the log: open one, save the current filters under a name (the same
 * name replaces it), delete one. Each save and delete is recorded in the tenant's log.
 */
export function SavedViewsMenu({ filters, onOpen }: { filters: TLogFilters; onOpen: (filters: TLogFilters) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.savedViews.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.savedViews.list.queryKey() });
  const save = useMutation(trpc.savedViews.save.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.savedViews.delete.mutationOptions({ onSuccess: refresh }));
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const views: TSavedView[] = list.data?.items ?? [];
  return (
    <>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <Button variant="default">Views{views.length ? ` (${views.length})` : ''}</Button>
        </Menu.Target>
        <Menu.Dropdown miw={260}>
          <Menu.Label>Your saved views</Menu.Label>
          {views.length === 0 && (
            <Text size="sm" c="dimmed" px="sm" py={4}>
              None yet
            </Text>
          )}
          {views.map((v) => (
            <Group key={v.id} gap={0} wrap="nowrap">
              <Menu.Item onClick={() => onOpen(filtersOfSavedView(v.view))} style={{ flex: 1 }}>
                {v.name}
              </Menu.Item>
              {/* a menu item, not a button inside the menu: a menu may hold only items (axe: aria-required-children) */}
              <Menu.Item w="auto" color="red" aria-label={`Delete view ${v.name}`} closeMenuOnClick={false} onClick={() => remove.mutate({ id: v.id })}>
                <span aria-hidden="true">✕</span>
              </Menu.Item>
            </Group>
          ))}
          <Menu.Divider />
          <Menu.Item onClick={() => setNaming(true)}>Save the current view…</Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <Modal opened={naming} onClose={() => setNaming(false)} title="Save the current view" closeButtonProps={{ 'aria-label': 'Close without saving' }}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(
              { name, view: savedViewOf(filters, new Date()) },
              {
                onSuccess: () => {
                  setNaming(false);
                  setName('');
                },
              },
            );
          }}
        >
          <Stack>
            <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={80} required data-autofocus />
            <Text size="sm" c="dimmed">
              A moving range (Today, last 7 days…) moves with the clock whenever you open the view.
            </Text>
            {save.isError && (
              <Text size="sm" c="red" role="alert">
                {save.error.message}
              </Text>
            )}
            <Group justify="flex-end">
              <Button type="submit" loading={save.isPending} disabled={!name.trim()}>
                Save
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
