import { MultiSelect } from '@mantine/core';
import type { TActorSummary } from '@modula/contracts';
import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import { useActors } from './use-actors.ts';

/** "Sofia Reyes · Cashier": a person as the picker names them (role of their latest event). */
export function personLabel(a: Pick<TActorSummary, 'id' | 'name' | 'role' | 'type'>): string {
  const name = a.name ?? a.id;
  const role = a.role ? i18next.t(`role.${a.role}`) : a.type === 'SYSTEM' ? i18next.t('role.SYSTEM') : null;
  return role ? `${name} · ${role}` : name;
}

/**
 * The team-member picker: everyone the log has seen, by name and role, searchable by either (or by
 * id); picks actor ids. Ids from a link whose actor is not listed still show, by id.
 */
export function PersonPicker({
  label,
  value,
  onChange,
  placeholder,
}: {
  label: string;
  value: string[];
  onChange: (ids: string[]) => void;
  placeholder: string;
}) {
  const { t } = useTranslation();
  const { actors, byId } = useActors();
  const named = [...actors].sort((a, b) => personLabel(a).localeCompare(personLabel(b)));
  const data = [...named.map((a) => ({ value: a.id, label: personLabel(a) })), ...value.filter((id) => !byId.has(id)).map((id) => ({ value: id, label: id }))];
  return (
    <MultiSelect
      label={label}
      placeholder={value.length ? undefined : placeholder}
      data={data}
      value={value}
      onChange={onChange}
      searchable
      clearable
      maxValues={100}
      maxDropdownHeight={320}
      nothingFoundMessage={t('filters.nobodyByName')}
    />
  );
}
