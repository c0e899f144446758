import { Badge, Group, Stack, Text } from '@mantine/core';
import type { TAuditEventView } from '@modula/contracts';
import { humanize } from '../common/labels.ts';

/** Who acted: their name (else id), the role they had at that time, and the id beneath. */
export function ActorLabel({ actor }: { actor: TAuditEventView['actor'] }) {
  const name = actor.name ?? actor.id ?? (actor.type === 'SYSTEM' ? 'System' : 'Unknown user');
  return (
    <Stack gap={0}>
      <Group gap={4} wrap="nowrap">
        <Text size="sm" fw={500}>
          {name}
        </Text>
        {actor.type === 'SYSTEM' && (
          <Badge size="xs" color="gray" variant="outline">
            system
          </Badge>
        )}
        {actor.role && (
          <Badge size="xs" color="blue" variant="outline" tt="none" title="Role at the time">
            {humanize(actor.role)}
          </Badge>
        )}
      </Group>
      {actor.id && actor.id !== name && (
        <Text size="xs" c="dimmed" ff="monospace" truncate="end" maw={200} title={actor.id}>
          {actor.id}
        </Text>
      )}
    </Stack>
  );
}
