import { Badge, Table, Text } from '@mantine/core';
import type { TAuditEventView } from '@modula/contracts';
import { computeDiff, type TDiffKind } from './compute-diff.ts';
import { JsonValue } from './json-value.tsx';
import { useTranslation } from 'react-i18next';

const KIND_COLORS: Record<TDiffKind, string> = { added: 'teal', removed: 'red', changed: 'blue' };

/** Before/after of the record, field by field: what was added, removed or changed, with nested paths. */
export function EntryDiff({ before, after }: Pick<TAuditEventView, 'before' | 'after'>) {
  const { t } = useTranslation();
  if (!before && !after)
    return (
      <Text size="sm" c="dimmed">
        {t('diff.none')}
      </Text>
    );
  const changes = computeDiff(before, after);
  if (changes.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t('diff.identical')}
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={420} type="native" tabIndex={0} role="region" aria-label={t('diff.scrolls')}>
      <Table withTableBorder verticalSpacing={4} aria-label={t('diff.table')} data-testid="entry-diff">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('diff.field')}</Table.Th>
            <Table.Th>{t('diff.change')}</Table.Th>
            <Table.Th>{t('diff.before')}</Table.Th>
            <Table.Th>{t('diff.after')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {changes.map((c) => (
            <Table.Tr key={`${c.kind}:${c.path}`} data-kind={c.kind}>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {c.path}
                </Text>
              </Table.Td>
              <Table.Td>
                <Badge size="sm" variant="light" color={KIND_COLORS[c.kind]}>
                  {t(`diff.${c.kind}`)}
                </Badge>
              </Table.Td>
              <Table.Td bg={c.kind === 'added' ? undefined : 'var(--mantine-color-red-light)'}>
                <JsonValue value={c.before} />
              </Table.Td>
              <Table.Td bg={c.kind === 'removed' ? undefined : 'var(--mantine-color-teal-light)'}>
                <JsonValue value={c.after} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
