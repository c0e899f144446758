import { Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useTranslation } from 'react-i18next';
import { RELATIVE_PRESETS, type TDatePreset, type TLogFilters, type TRelativePreset } from './log-filters.ts';

/** The presets and the catalog keys of their labels. */
const PRESETS: { value: TDatePreset | 'all'; key: string }[] = [
  { value: 'all', key: 'filters.allTime' },
  { value: 'today', key: 'filters.today' },
  { value: 'week', key: 'filters.week' },
  { value: 'month', key: 'filters.month' },
  { value: 'custom', key: 'filters.custom' },
];

const RELATIVE: { value: TRelativePreset; key: string }[] = [
  { value: '1h', key: 'filters.lastHour' },
  { value: '24h', key: 'filters.h24' },
  { value: '7d', key: 'filters.d7' },
  { value: '30d', key: 'filters.d30' },
];
const isRelative = (range: TDatePreset | null): range is TRelativePreset => (RELATIVE_PRESETS as readonly string[]).includes(range ?? '');

type TRange = Pick<TLogFilters, 'range' | 'from' | 'to'>;

/** Today / This week / This month / a custom range of days, in the viewer's time zone; or the last hour, 24 hours, 7 days, 30 days. */
export function DateRangeFilter({ value, onChange }: { value: TRange; onChange: (range: TRange) => void }) {
  const { t } = useTranslation();
  return (
    <Stack gap={4}>
      <Text component="label" id="date-range-label" size="sm" fw={500}>
        {t('filters.date')}
      </Text>
      <Group gap="sm" wrap="wrap">
        <SegmentedControl
          aria-labelledby="date-range-label"
          size="xs"
          data={PRESETS.map((p) => ({ value: p.value, label: t(p.key) }))}
          value={isRelative(value.range) ? '' : (value.range ?? 'all')}
          onChange={(v) => onChange({ range: v === 'all' ? null : (v as TDatePreset), from: null, to: null })}
        />
        <SegmentedControl
          aria-label={t('filters.relative')}
          size="xs"
          data={RELATIVE.map((p) => ({ value: p.value, label: t(p.key) }))}
          value={isRelative(value.range) ? value.range : ''}
          onChange={(v) => onChange({ range: v as TRelativePreset, from: null, to: null })}
        />
        {value.range === 'custom' && (
          <DatePickerInput
            type="range"
            aria-label={t('filters.customRange')}
            placeholder={t('filters.pickDays')}
            size="xs"
            miw={240}
            clearable
            allowSingleDateInRange
            valueFormat="D MMM YYYY"
            value={[value.from, value.to]}
            onChange={([from, to]) => onChange({ range: 'custom', from, to })}
          />
        )}
      </Group>
    </Stack>
  );
}
