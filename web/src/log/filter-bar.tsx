import { Box, Button, Group, MultiSelect, Paper, SimpleGrid, Stack, TagsInput } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { ACTIONS, DENIAL_REASONS, MODULES, OUTCOMES, ROLES } from '@modula/contracts';
import type { ReactNode } from 'react';
import { humanize, OUTCOME_LABELS, REASON_LABELS } from '../common/labels.ts';
import { ActionSelect } from './action-select.tsx';
import { DateRangeFilter } from './date-range-filter.tsx';
import { countFilters, oneOf, type TLogFilters } from './log-filters.ts';
import { CARDS_QUERY } from './log-table.tsx';
import { PersonPicker } from './person-picker.tsx';
import { ScopeChips } from './scope-chips.tsx';
import { SearchInput } from './search-input.tsx';
import { useBranches } from './use-branches.ts';

const MODULE_OPTIONS = MODULES.map((m) => ({ value: m, label: humanize(m) }));
const OUTCOME_OPTIONS = OUTCOMES.map((o) => ({ value: o, label: OUTCOME_LABELS[o] }));
const REASON_OPTIONS = DENIAL_REASONS.map((r) => ({ value: r, label: REASON_LABELS[r] }));
const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: humanize(r) }));
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
  const active = countFilters(filters);
  const clear = (
    <Button variant="subtle" size="xs" onClick={onClear} disabled={active === 0}>
      Clear filters{active > 0 ? ` (${active})` : ''}
    </Button>
  );
  if (!folds) {
    return (
      <Paper withBorder p="sm" component="section" aria-label="Filters">
        <FilterFields filters={filters} onChange={onChange} clear={clear} />
      </Paper>
    );
  }
  return (
    <Paper withBorder p="xs" component="section" aria-label="Filters">
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
            Filters ({active})
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
  const { branches, byId } = useBranches();
  // ids from a shared link whose branch is not (yet) listed still show, by id
  const branchOptions = [
    ...branches.map((b) => ({ value: b.id, label: b.status === 'FROZEN' ? `${b.name} (frozen)` : b.name })),
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
          label="Branch"
          placeholder={filters.branchIds.length ? undefined : 'All branches'}
          data={branchOptions}
          value={filters.branchIds}
          onChange={(branchIds) => onChange({ branchIds })}
          searchable
          clearable
          nothingFoundMessage="No such branch"
        />
        <MultiSelect
          label="Module"
          placeholder={filters.modules.length ? undefined : 'Any module'}
          data={MODULE_OPTIONS}
          value={filters.modules}
          onChange={(v) => onChange({ modules: oneOf(MODULES, v) })}
          searchable
          clearable
        />
        <ActionSelect value={filters.actions} modules={filters.modules} onChange={(actions) => onChange({ actions })} />
        <PersonPicker label="People" placeholder="Anyone" value={filters.actorIds} onChange={(actorIds) => onChange({ actorIds })} />
        <MultiSelect
          label="Role (at the time)"
          placeholder={filters.roles.length ? undefined : 'Any role'}
          data={ROLE_OPTIONS}
          value={filters.roles}
          onChange={(v) => onChange({ roles: oneOf(ROLES, v) })}
          clearable
        />
        <MultiSelect
          label="Outcome"
          placeholder={filters.outcomes.length ? undefined : 'Any outcome'}
          data={OUTCOME_OPTIONS}
          value={filters.outcomes}
          onChange={(v) => onChange({ outcomes: oneOf(OUTCOMES, v) })}
          clearable
        />
        <MultiSelect
          label="Reason"
          placeholder={filters.reasons.length ? undefined : 'Any reason'}
          data={REASON_OPTIONS}
          value={filters.reasons}
          onChange={(v) => onChange({ reasons: oneOf(DENIAL_REASONS, v) })}
          clearable
        />
        <TagsInput
          label="IP address"
          placeholder={filters.ips.length ? undefined : 'Type an IP, press Enter'}
          value={filters.ips}
          onChange={(ips) => onChange({ ips: trimmed(ips) })}
          clearable
          maxTags={100}
        />
        <TagsInput
          label="Device"
          placeholder={filters.deviceIds.length ? undefined : 'Type a device id, press Enter'}
          value={filters.deviceIds}
          onChange={(deviceIds) => onChange({ deviceIds: trimmed(deviceIds) })}
          clearable
          maxTags={100}
        />
        <MultiSelect
          label="Not these actions"
          placeholder={filters.excludeActions.length ? undefined : 'Hide nothing'}
          data={ACTION_OPTIONS}
          value={filters.excludeActions}
          onChange={(v) => onChange({ excludeActions: oneOf(ACTIONS, v) })}
          searchable
          clearable
          maxDropdownHeight={320}
        />
        <PersonPicker
          label="Not these people"
          placeholder="Hide nobody"
          value={filters.excludeActorIds}
          onChange={(excludeActorIds) => onChange({ excludeActorIds })}
        />
        <SearchInput value={filters.search} onChange={(search) => onChange({ search })} />
      </SimpleGrid>
    </Stack>
  );
}
