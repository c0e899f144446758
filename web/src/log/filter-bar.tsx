import { Box, Button, Group, MultiSelect, Paper, SimpleGrid, Stack, TagsInput } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { ACTIONS, DENIAL_REASONS, MODULES, OUTCOMES, ROLES } from '@modula/contracts';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { humanize } from '../common/labels.ts';
import { ActionSelect } from './action-select.tsx';
import { DateRangeFilter } from './date-range-filter.tsx';
import { countFilters, oneOf, type TLogFilters } from './log-filters.ts';
import { CARDS_QUERY } from './log-table.tsx';
import { PersonPicker } from './person-picker.tsx';
import { ScopeChips } from './scope-chips.tsx';
import { SearchInput } from './search-input.tsx';
import { useBranches } from './use-branches.ts';

const ACTION_OPTIONS = ACTIONS.map((a) => ({ value: a, label: humanize(a) }));
const trimmed = (values: string[]) => values.map((v) => v.trim()).filter(Boolean);
const FIELDS_ID = 'log-filter-fields';

/**
 * Every filter of the log; each change goes to the URL at once. On a phone (where the log is a list
 * of cards) the filters fold behind a "Filters (N)" button, N the number of active ones, so the
 * first events are on the first screen.
 */
export function FilterBar({ filters, onChange, onClear }: { filters: TLogFilters; onChange: (patch: Partial<TLogFilters>) => void; onClear: () => void }) {
  const folds = useMediaQuery(CARDS_QUERY, undefined, { getInitialValueInEffect: false });
  const [unfolded, { toggle }] = useDisclosure(false);
  const { t } = useTranslation();
  const active = countFilters(filters);
  const clear = (
    <Button variant="subtle" size="xs" onClick={onClear} disabled={active === 0}>
      {active > 0 ? t('filters.clearN', { n: active }) : t('filters.clear')}
    </Button>
  );
  if (!folds) {
    return (
      <Paper withBorder p="sm" component="section" aria-label={t('filters.label')}>
        <FilterFields filters={filters} onChange={onChange} clear={clear} />
      </Paper>
    );
  }
  return (
    <Paper withBorder p="xs" component="section" aria-label={t('filters.label')}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Button
            variant="default"
            size="sm"
            onClick={toggle}
            aria-expanded={unfolded}
            aria-controls={unfolded ? FIELDS_ID : undefined}
            rightSection={<span aria-hidden="true">{unfolded ? '▴' : '▾'}</span>}
            data-testid="filters-toggle"
          >
            {t('filters.toggle', { n: active })}
          </Button>
          {!unfolded && active > 0 && clear}
        </Group>
        {/* folded, a session or a target the log was opened for stays in sight */}
        {unfolded ? (
          <Box id={FIELDS_ID}>
            <FilterFields filters={filters} onChange={onChange} clear={clear} />
          </Box>
        ) : (
          <ScopeChips filters={filters} onChange={onChange} />
        )}
      </Stack>
    </Paper>
  );
}

function FilterFields({ filters, onChange, clear }: { filters: TLogFilters; onChange: (patch: Partial<TLogFilters>) => void; clear: ReactNode }) {
  const { t } = useTranslation();
  const { branches, byId } = useBranches();
  const MODULE_OPTIONS = MODULES.map((m) => ({ value: m, label: t(`module.${m}`) }));
  const OUTCOME_OPTIONS = OUTCOMES.map((o) => ({ value: o, label: t(`outcome.${o}`) }));
  const REASON_OPTIONS = DENIAL_REASONS.map((r) => ({ value: r, label: t(`reason.${r}`) }));
  const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }));
  // ids from a shared link whose branch is not (yet) listed still show, by id
  const branchOptions = [
    ...branches.map((b) => ({ value: b.id, label: b.status === 'FROZEN' ? t('filters.frozen', { name: b.name }) : b.name })),
    ...filters.branchIds.filter((id) => !byId.has(id)).map((id) => ({ value: id, label: id })),
  ];
  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <DateRangeFilter value={filters} onChange={onChange} />
        <Group gap="xs">
          <ScopeChips filters={filters} onChange={onChange} />
          {clear}
        </Group>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm" verticalSpacing="xs">
        <MultiSelect
          label={t('filters.branch')}
          placeholder={filters.branchIds.length ? undefined : t('filters.allBranches')}
          data={branchOptions}
          value={filters.branchIds}
          onChange={(branchIds) => onChange({ branchIds })}
          searchable
          clearable
          nothingFoundMessage={t('filters.noBranch')}
        />
        <MultiSelect
          label={t('filters.module')}
          placeholder={filters.modules.length ? undefined : t('filters.anyModule')}
          data={MODULE_OPTIONS}
          value={filters.modules}
          onChange={(v) => onChange({ modules: oneOf(MODULES, v) })}
          searchable
          clearable
        />
        <ActionSelect value={filters.actions} modules={filters.modules} onChange={(actions) => onChange({ actions })} />
        <PersonPicker label={t('filters.people')} placeholder={t('filters.anyone')} value={filters.actorIds} onChange={(actorIds) => onChange({ actorIds })} />
        <MultiSelect
          label={t('filters.role')}
          placeholder={filters.roles.length ? undefined : t('filters.anyRole')}
          data={ROLE_OPTIONS}
          value={filters.roles}
          onChange={(v) => onChange({ roles: oneOf(ROLES, v) })}
          clearable
        />
        <MultiSelect
          label={t('filters.outcome')}
          placeholder={filters.outcomes.length ? undefined : t('filters.anyOutcome')}
          data={OUTCOME_OPTIONS}
          value={filters.outcomes}
          onChange={(v) => onChange({ outcomes: oneOf(OUTCOMES, v) })}
          clearable
        />
        <MultiSelect
          label={t('filters.reason')}
          placeholder={filters.reasons.length ? undefined : t('filters.anyReason')}
          data={REASON_OPTIONS}
          value={filters.reasons}
          onChange={(v) => onChange({ reasons: oneOf(DENIAL_REASONS, v) })}
          clearable
        />
        <TagsInput
          label={t('filters.ip')}
          placeholder={filters.ips.length ? undefined : t('filters.typeIp')}
          value={filters.ips}
          onChange={(ips) => onChange({ ips: trimmed(ips) })}
          clearable
          maxTags={100}
        />
        <TagsInput
          label={t('filters.device')}
          placeholder={filters.deviceIds.length ? undefined : t('filters.typeDevice')}
          value={filters.deviceIds}
          onChange={(deviceIds) => onChange({ deviceIds: trimmed(deviceIds) })}
          clearable
          maxTags={100}
        />
        <MultiSelect
          label={t('filters.notActions')}
          placeholder={filters.excludeActions.length ? undefined : t('filters.hideNothing')}
          data={ACTION_OPTIONS}
          value={filters.excludeActions}
          onChange={(v) => onChange({ excludeActions: oneOf(ACTIONS, v) })}
          searchable
          clearable
          maxDropdownHeight={320}
        />
        <PersonPicker
          label={t('filters.notPeople')}
          placeholder={t('filters.hideNobody')}
          value={filters.excludeActorIds}
          onChange={(excludeActorIds) => onChange({ excludeActorIds })}
        />
        <SearchInput value={filters.search} onChange={(search) => onChange({ search })} />
      </SimpleGrid>
    </Stack>
  );
}
