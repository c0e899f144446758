import { Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { RELATIVE_PRESETS, type TDatePreset, type TLogFilters, type TRelativePreset } from './log-filters.ts';

const PRESETS: { value: TDatePreset | 'all'; label: string }[] = [
  { value: 'all', label: 'All time' },
  { value: 'today', label: 'Today' },
  { value: 'week', label: 'This week' },
  { value: 'month', label: 'This month' },
  { value: 'custom', label: 'Custom' },
];

const RELATIVE: { value: TRelativePreset; label: string }[] = [
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: '24 hours' },
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
];
const isRelative = (range: TDatePreset | null): range is TRelativePreset => (RELATIVE_PRESETS as readonly string[]).includes(range ?? '');

type TRange = Pick<TLogFilters, 'range' | 'from' | 'to'>;

/** Today / This week / This month / a custom range of days, in the viewer's time zone; or the last hour, 24 hours, 7 days, 30 days. */
export function DateRangeFilter({ value, onChange }: { value: TRange; onChange: (range: TRange) => void }) {
  return (
    <Stack gap={4}>
      <Text component="label" id="date-range-label" size="sm" fw={500}>
        Date
      </Text>
      <Group gap="sm" wrap="wrap">
        <SegmentedControl
          aria-labelledby="date-range-label"
          size="xs"
          data={PRESETS}
          value={isRelative(value.range) ? '' : (value.range ?? 'all')}
          onChange={(v) => onChange({ range: v === 'all' ? null : (v as TDatePreset), from: null, to: null })}
        />
        <SegmentedControl
          aria-label="Relative range"
          size="xs"
          data={RELATIVE}
          value={isRelative(value.range) ? value.range : ''}
          onChange={(v) => onChange({ range: v as TRelativePreset, from: null, to: null })}
        />
        {value.range === 'custom' && (
          <DatePickerInput
            type="range"
            aria-label="Custom date range"
            placeholder="Pick the first and last day"
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
