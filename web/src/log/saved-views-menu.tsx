import { Button, Group, Menu, Modal, Stack, Text, TextInput } from '@mantine/core';
import type { TSavedView } from '@modula/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../app/trpc.ts';
import type { TLogFilters } from './log-filters.ts';
import { filtersOfSavedView, savedViewOf } from './saved-view.ts';
import { useTranslation } from 'react-i18next';

/**
 * The Admin's saved views of the log: open one, save the current filters under a name (the same
 * name replaces it), delete one. Each save and delete is recorded in the tenant's log.
 */
export function SavedViewsMenu({ filters, onOpen }: { filters: TLogFilters; onOpen: (filters: TLogFilters) => void }) {
  const { t } = useTranslation();
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
          <Button variant="default">{views.length ? t('views.buttonN', { n: views.length }) : t('views.button')}</Button>
        </Menu.Target>
        <Menu.Dropdown miw={260}>
          <Menu.Label>{t('views.yours')}</Menu.Label>
          {views.length === 0 && (
            <Text size="sm" c="dimmed" px="sm" py={4}>
              {t('views.none')}
            </Text>
          )}
          {views.map((v) => (
            <Group key={v.id} gap={0} wrap="nowrap">
              <Menu.Item onClick={() => onOpen(filtersOfSavedView(v.view))} style={{ flex: 1 }}>
                {v.name}
              </Menu.Item>
              {/* a menu item, not a button inside the menu: a menu may hold only items (axe: aria-required-children) */}
              <Menu.Item
                w="auto"
                color="red"
                aria-label={t('views.delete', { name: v.name })}
                closeMenuOnClick={false}
                onClick={() => remove.mutate({ id: v.id })}
              >
                <span aria-hidden="true">✕</span>
              </Menu.Item>
            </Group>
          ))}
          <Menu.Divider />
          <Menu.Item onClick={() => setNaming(true)}>{t('views.save')}</Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <Modal opened={naming} onClose={() => setNaming(false)} title={t('views.saveTitle')} closeButtonProps={{ 'aria-label': t('views.closeNoSave') }}>
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
            <TextInput label={t('views.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={80} required data-autofocus />
            <Text size="sm" c="dimmed">
              {t('views.moving')}
            </Text>
            {save.isError && (
              <Text size="sm" c="red" role="alert">
                {save.error.message}
              </Text>
            )}
            <Group justify="flex-end">
              <Button type="submit" loading={save.isPending} disabled={!name.trim()}>
                {t('views.saveButton')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
