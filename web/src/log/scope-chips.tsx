import { CloseButton, Group, Pill } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { revealHidden } from '../common/user-text.tsx';
import type { TLogFilters } from './log-filters.ts';

/** Filters that come from links rather than from the bar (one session, one target), each removable. */
export function ScopeChips({ filters, onChange }: { filters: TLogFilters; onChange: (patch: Partial<TLogFilters>) => void }) {
  const { t } = useTranslation();
  const chips: { key: string; label: string; clear: Partial<TLogFilters> }[] = [];
  if (filters.sessionId) chips.push({ key: 'session', label: t('filters.session', { id: revealHidden(filters.sessionId) }), clear: { sessionId: null } });
  if (filters.credential) chips.push({ key: 'credential', label: t('filters.credential', { id: filters.credential }), clear: { credential: null } });
  if (filters.entityType)
    chips.push({ key: 'entityType', label: t('filters.targetType', { id: revealHidden(filters.entityType) }), clear: { entityType: null } });
  if (filters.entityId) chips.push({ key: 'entity', label: t('filters.target', { id: revealHidden(filters.entityId) }), clear: { entityId: null } });
  if (chips.length === 0) return null;
  return (
    <Group gap={6} aria-label={t('filters.scope')}>
      {chips.map((chip) => (
        <Pill key={chip.key} size="md" data-testid={`scope-${chip.key}`}>
          <Group gap={4} wrap="nowrap">
            {chip.label}
            <CloseButton size="xs" aria-label={t('filters.removeChip', { label: chip.label })} onClick={() => onChange(chip.clear)} />
          </Group>
        </Pill>
      ))}
    </Group>
  );
}
