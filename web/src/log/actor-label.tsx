import { Badge, Group, Stack, Text } from '@mantine/core';
import type { TAuditEventView } from '@modula/contracts';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { revealHidden, UserText } from '../common/user-text.tsx';

/**
 * Who acted: their name (else id), the role they had at that time, and the id beneath. `wrapName`
 * wraps the name alone (a button that filters by the person): a control's visible text must be part
 * of its accessible name (WCAG 2.5.3), so the badges and the id stay outside it.
 */
export function ActorLabel({ actor, wrapName }: { actor: TAuditEventView['actor']; wrapName?: (name: ReactNode) => ReactNode }) {
  const { t } = useTranslation();
  const sent = actor.name ?? actor.id;
  const name = sent ?? (actor.type === 'SYSTEM' ? t('role.SYSTEM') : t('value.unknownUser'));
  const text = (
    <Text span size="sm" fw={500}>
      {sent === null ? name : <UserText value={sent} />}
    </Text>
  );
  return (
    <Stack gap={0}>
      <Group gap={4} wrap="nowrap">
        {wrapName ? wrapName(text) : text}
        {actor.type === 'SYSTEM' && (
          <Badge size="xs" color="gray" variant="outline">
            {t('value.system')}
          </Badge>
        )}
        {actor.role && (
          <Badge size="xs" color="blue" variant="outline" tt="none" title={t('value.roleThen')}>
            {t(`role.${actor.role}`)}
          </Badge>
        )}
      </Group>
      {actor.id && actor.id !== name && (
        <Text size="xs" c="dimmed" ff="monospace" truncate="end" maw={200} title={revealHidden(actor.id)}>
          <UserText value={actor.id} />
        </Text>
      )}
    </Stack>
  );
}
