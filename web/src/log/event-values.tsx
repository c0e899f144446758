import { Code, Text } from '@mantine/core';
import type { TAuditEventView, TBranchView } from '@modula/contracts';
import { useTranslation } from 'react-i18next';
import { humanize } from '../common/labels.ts';
import { UserText } from '../common/user-text.tsx';
import { ActorLabel } from './actor-label.tsx';
import { FilterValue } from './filter-value.tsx';

/**
 * The values of an event that filter the log by themselves when clicked, in a row and in the entry
 * (actor, role, branch, action, target, session, IP, device). Person and action also offer the
 * negation ("not this person", "not this action").
 */

export function ActorValue({ actor }: { actor: TAuditEventView['actor'] }) {
  const id = actor.id;
  if (!id) return <ActorLabel actor={actor} />;
  const name = actor.name ?? id;
  return (
    <ActorLabel
      actor={actor}
      wrapName={(text) => (
        <FilterValue what={{ kind: 'person', value: name }} only={{ actorIds: [id], excludeActorIds: [] }} not={{ excludeActorIds: [id], actorIds: [] }}>
          {text}
        </FilterValue>
      )}
    />
  );
}

export function RoleValue({ role }: { role: TAuditEventView['actor']['role'] }) {
  const { t } = useTranslation();
  if (!role) return null;
  return (
    <FilterValue what={{ kind: 'role', value: t(`role.${role}`) }} only={{ roles: [role] }}>
      <Text span size="sm">
        {t(`role.${role}`)}
      </Text>
    </FilterValue>
  );
}

export function ActionValue({ action }: { action: TAuditEventView['action'] }) {
  return (
    <FilterValue
      what={{ kind: 'action', value: humanize(action) }}
      only={{ actions: [action], excludeActions: [] }}
      not={{ excludeActions: [action], actions: [] }}
    >
      <Text span size="xs" c="dimmed" ff="monospace">
        {action}
      </Text>
    </FilterValue>
  );
}

export function TargetValue({ entity }: { entity: NonNullable<TAuditEventView['entity']> }) {
  return (
    <FilterValue what={{ kind: 'target', value: entity.label ?? entity.id }} only={{ entityType: entity.type, entityId: entity.id }}>
      <Text span size="sm">
        <UserText value={entity.label ?? entity.id} />
      </Text>
    </FilterValue>
  );
}

export function BranchValue({ branchId, branch }: { branchId: string | null; branch: TBranchView | undefined }) {
  const { t } = useTranslation();
  if (!branchId) return <Text size="sm">{t('value.tenant')}</Text>;
  const name = branch?.name ?? branchId.slice(0, 8);
  return (
    <FilterValue what={{ kind: 'branch', value: name }} only={{ branchIds: [branchId] }}>
      <Text span size="sm">
        <UserText value={name} />
      </Text>
    </FilterValue>
  );
}

export function SessionValue({ sessionId }: { sessionId: string }) {
  return (
    <FilterValue what={{ kind: 'session', value: sessionId }} only={{ sessionId }}>
      <Code>
        <UserText value={sessionId} />
      </Code>
    </FilterValue>
  );
}

const dash = (
  <Text span size="sm" c="dimmed">
    —
  </Text>
);

export function IpValue({ ip }: { ip: string | null }) {
  if (!ip) return dash;
  return (
    <FilterValue what={{ kind: 'ip', value: ip }} only={{ ips: [ip] }}>
      <Text span size="sm" ff="monospace" data-testid="ip-value">
        {ip}
      </Text>
    </FilterValue>
  );
}

export function DeviceValue({ deviceId }: { deviceId: string | null }) {
  if (!deviceId) return dash;
  return (
    <FilterValue what={{ kind: 'device', value: deviceId }} only={{ deviceIds: [deviceId] }}>
      <Text span size="sm" ff="monospace">
        <UserText value={deviceId} />
      </Text>
    </FilterValue>
  );
}
