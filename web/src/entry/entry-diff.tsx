import { Badge, Table, Text } from '@mantine/core';
import type { TAuditEventView } from '@modula/contracts';
import { computeDiff, type TDiffKind } from './compute-diff.ts';
import { JsonValue } from './json-value.tsx';

const KIND: Record<TDiffKind, { label: string; color: string }> = {
  added: { label: 'added', color: 'teal' },
  removed: { label: 'removed', color: 'red' },
  changed: { label: 'changed', color: 'blue' },
};

/** Before/after of the record, field by field: what was added, removed or changed, with nested paths. */
export function EntryDiff({ before, after }: Pick<TAuditEventView, 'before' | 'after'>) {
  if (!before && !after)
    return (
      <Text size="sm" c="dimmed">
        This event carries no before/after state.
      </Text>
    );
  const changes = computeDiff(before, after);
  if (changes.length === 0)
    return (
      <Text size="sm" c="dimmed">
        Before and after are identical.
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={420} type="native" tabIndex={0} role="region" aria-label="Changes (scrolls sideways)">
      <Table withTableBorder verticalSpacing={4} aria-label="Changes, field by field" data-testid="entry-diff">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Field</Table.Th>
            <Table.Th>Change</Table.Th>
            <Table.Th>Before</Table.Th>
            <Table.Th>After</Table.Th>
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
                <Badge size="sm" variant="light" color={KIND[c.kind].color}>
                  {KIND[c.kind].label}
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
