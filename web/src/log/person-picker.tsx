import { CheckIcon, Group, MultiSelect } from '@mantine/core';
import type { TActorSummary } from '@modula/contracts';
import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import { revealHidden, UserSentence, userTextSlot } from '../common/user-text.tsx';
import { useActors } from './use-actors.ts';

type TPerson = Pick<TActorSummary, 'id' | 'name' | 'role' | 'type'>;

/** "{name} · Cashier", the name a slot (userTextSlot(0)): the role of their latest event. */
function personSentence(a: TPerson): string {
  const role = a.role ? i18next.t(`role.${a.role}`) : a.type === 'SYSTEM' ? i18next.t('role.SYSTEM') : null;
  return role ? `${userTextSlot(0)} · ${role}` : userTextSlot(0);
}

/** "Sofia Reyes · Cashier": a person as the picker names them, hidden characters shown (it is searched too). */
export function personLabel(a: TPerson): string {
  return personSentence(a).replace(userTextSlot(0), () => revealHidden(a.name ?? a.id));
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
  const data = [
    ...named.map((a) => ({ value: a.id, label: personLabel(a) })),
    ...value.filter((id) => !byId.has(id)).map((id) => ({ value: id, label: revealHidden(id) })),
  ];
  return (
    <MultiSelect
      label={label}
      placeholder={value.length ? undefined : placeholder}
      data={data}
      value={value}
      onChange={onChange}
      // the option's name isolated (the label is plain text: the pills and the search use it)
      renderOption={({ option, checked }) => {
        const person = byId.get(option.value);
        return (
          <Group gap={8} wrap="nowrap">
            {checked && <CheckIcon size={10} />}
            <span>
              <UserSentence text={person ? personSentence(person) : userTextSlot(0)} values={[person ? (person.name ?? person.id) : option.value]} />
            </span>
          </Group>
        );
      }}
      searchable
      clearable
      maxValues={100}
      maxDropdownHeight={320}
      nothingFoundMessage={t('filters.nobodyByName')}
    />
  );
}
