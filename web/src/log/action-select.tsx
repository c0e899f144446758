import { MultiSelect } from '@mantine/core';
import { CATALOG, MODULES, actionsOfModule, type TAction, type TModule } from '@modula/contracts';
import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import { humanize } from '../common/labels.ts';
import { oneOf } from './log-filters.ts';

const ACTION_NAMES = Object.keys(CATALOG) as TAction[];

/** The catalog's actions, grouped by module; when modules are picked, only theirs are offered. */
function actionGroups(modules: TModule[]) {
  const shown = modules.length > 0 ? modules : MODULES;
  return shown
    .map((module) => ({
      group: i18next.t(`module.${module}`),
      items: actionsOfModule(module).map((action) => ({ value: action, label: humanize(action) })),
    }))
    .filter((g) => g.items.length > 0);
}

export function ActionSelect({ value, modules, onChange }: { value: TAction[]; modules: TModule[]; onChange: (actions: TAction[]) => void }) {
  // an action picked earlier stays visible even when its module is no longer picked
  const { t } = useTranslation();
  const groups = actionGroups(modules);
  const offered = new Set(groups.flatMap((g) => g.items.map((i) => i.value)));
  const orphans = value.filter((a) => !offered.has(a));
  const data = orphans.length > 0 ? [...groups, { group: t('filters.otherModules'), items: orphans.map((a) => ({ value: a, label: humanize(a) })) }] : groups;
  return (
    <MultiSelect
      label={t('filters.action')}
      placeholder={value.length ? undefined : t('filters.anyAction')}
      data={data}
      value={value}
      onChange={(v) => onChange(oneOf(ACTION_NAMES, v))}
      searchable
      clearable
      maxDropdownHeight={320}
      nothingFoundMessage={t('filters.noAction')}
    />
  );
}
