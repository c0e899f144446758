import { ActionIcon, Group, Tooltip, UnstyledButton } from '@mantine/core';
import type { ReactNode } from 'react';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { revealHidden } from '../common/user-text.tsx';
import { filtersFromSearch, searchWithFilters, type TLogFilters } from './log-filters.ts';
import { useSearchUpdate } from './use-search-update.ts';

/**
 * Filters the log by a patch of filters (added to those already set) and closes the open entry:
 * what a click on a value of a row or an entry does.
 */
export function useFilterBy() {
  const setParams = useSearchUpdate();
  return useCallback(
    (patch: Partial<TLogFilters>) => {
      setParams((prev) => {
        const next = searchWithFilters({ ...filtersFromSearch(prev), ...patch }, prev);
        next.delete('event');
        return next;
      });
    },
    [setParams],
  );
}

/** The kinds of value that filter the log, and the catalog keys naming each ("person", "this person"). */
const KINDS = {
  person: { name: 'value.person', this: 'value.thisPerson' },
  role: { name: 'value.role', this: 'value.thisRole' },
  action: { name: 'value.action', this: 'value.thisAction' },
  target: { name: 'value.target', this: 'value.thisTarget' },
  branch: { name: 'value.branch', this: 'value.thisBranch' },
  session: { name: 'value.session', this: 'value.thisSession' },
  ip: { name: 'value.ip', this: 'value.thisIp' },
  device: { name: 'value.device', this: 'value.thisDevice' },
} as const;
export type TValueKind = keyof typeof KINDS;

/**
 * A value of an event that filters the log by itself when clicked (Stripe's logs): `only` shows only
 * such events; `not`, when given, hides them instead ("not this action / not this person").
 */
export function FilterValue({
  children,
  what,
  only,
  not,
}: {
  children: ReactNode;
  /**
   * What the value is, for the buttons' names: "person Sofia Reyes", "IP 10.0.0.1". It must end
   * with the text the button shows (WCAG 2.5.3, Label in Name: a voice user says what they see), so
   * `children` holds that value and nothing more.
   */
  what: { kind: TValueKind; value: string };
  only: Partial<TLogFilters>;
  not?: Partial<TLogFilters>;
}) {
  const { t } = useTranslation();
  const filterBy = useFilterBy();
  const kind = KINDS[what.kind];
  // the value as the button shows it (UserText), hidden characters as markers
  const named = { name: t(kind.name), value: revealHidden(what.value), this: t(kind.this) };
  return (
    <Group gap={2} wrap="nowrap" display="inline-flex" className="filter-value">
      <Tooltip label={t('value.only', named)} openDelay={400}>
        <UnstyledButton
          aria-label={t('value.filterBy', named)}
          data-testid="filter-value"
          onClick={(e) => {
            e.stopPropagation();
            filterBy(only);
          }}
          style={{ textDecoration: 'underline dotted', textUnderlineOffset: 3, maxWidth: '100%' }}
        >
          {children}
        </UnstyledButton>
      </Tooltip>
      {not && (
        <Tooltip label={t('value.hideThis', named)} openDelay={400}>
          <ActionIcon
            size="xs"
            variant="subtle"
            color="gray"
            aria-label={t('value.hide', named)}
            onClick={(e) => {
              e.stopPropagation();
              filterBy(not);
            }}
          >
            <span aria-hidden="true">⊘</span>
          </ActionIcon>
        </Tooltip>
      )}
    </Group>
  );
}
