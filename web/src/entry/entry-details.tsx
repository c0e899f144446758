import { Alert, Anchor, Badge, Code, Group, List, Stack, Text, Title } from '@mantine/core';
import { describeAuditEvent, type TAuditEventView, type TBranchView } from '@modula/contracts';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { formatDateTime, viewerTimeZone } from '../common/format-time.ts';
import { humanize, OUTCOME_LABELS } from '../common/labels.ts';
import { ActionValue, ActorValue, BranchValue, DeviceValue, IpValue, RoleValue } from '../log/event-values.tsx';
import { logHref } from '../log/log-filters.ts';
import { OutcomeBadge } from '../log/outcome-badge.tsx';
import { SyncBadges } from '../log/sync-badges.tsx';
import { CopyableText } from './copyable-text.tsx';
import { EntryDiff } from './entry-diff.tsx';
import { FieldList } from './field-list.tsx';
import { outcomeNote } from './outcome-note.ts';

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap={6} component="section" aria-label={title}>
      <Title order={3} size="h5">
        {title}
      </Title>
      {children}
    </Stack>
  );
}

const none = (
  <Text span c="dimmed" size="sm">
    —
  </Text>
);

/** Every field of one stored event, grouped as an investigation reads it. */
export function EntryDetails({ event, branch }: { event: TAuditEventView; branch: TBranchView | undefined }) {
  const note = outcomeNote(event);
  const { context } = event;
  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Text fw={600} size="lg">
          {describeAuditEvent(event)}
        </Text>
        <Group gap="xs">
          <OutcomeBadge outcome={event.outcome} reason={event.reason} />
          <SyncBadges event={event} />
        </Group>
      </Stack>

      {note && (
        <Alert color="orange" title="The service changed the outcome" role="note" data-testid="outcome-note">
          {note}
        </Alert>
      )}

      <Section title="Changes (before → after)">
        <EntryDiff before={event.before} after={event.after} />
        {event.redactedPaths.length > 0 && (
          <Alert color="gray" variant="light" title="Redacted before storage" data-testid="redacted-paths">
            <Text size="sm">These values looked like secrets and were never stored:</Text>
            <List size="sm" mt={4}>
              {event.redactedPaths.map((p) => (
                <List.Item key={p}>
                  <Code>{p}</Code>
                </List.Item>
              ))}
            </List>
          </Alert>
        )}
      </Section>

      <Section title="What and when">
        <FieldList
          label="What and when"
          rows={[
            [
              'Occurred',
              <>
                {formatDateTime(event.occurredAt)}{' '}
                <Text span c="dimmed" size="xs">
                  ({viewerTimeZone()})
                </Text>
              </>,
            ],
            ['Received', formatDateTime(event.receivedAt)],
            [
              'Action',
              <>
                <ActionValue action={event.action} />{' '}
                <Text span size="sm" c="dimmed">
                  in {humanize(event.module)}
                </Text>
              </>,
            ],
            ['Outcome', OUTCOME_LABELS[event.outcome]],
            [
              'Claimed outcome',
              event.claimedOutcome === event.outcome ? (
                OUTCOME_LABELS[event.claimedOutcome]
              ) : (
                <Text span fw={600} size="sm">
                  {OUTCOME_LABELS[event.claimedOutcome]}
                </Text>
              ),
            ],
            [
              'Branch',
              event.branchId ? (
                <>
                  <BranchValue branchId={event.branchId} branch={branch} /> <CopyableText value={event.branchId} label="Branch id" />
                </>
              ) : (
                'Tenant level (no branch)'
              ),
            ],
          ]}
        />
      </Section>

      <Section title="Who">
        <FieldList
          label="Who"
          rows={[
            ['Actor', <ActorValue actor={event.actor} />],
            ...(event.actor.id
              ? ([
                  [
                    'Everything they did',
                    <Anchor component={Link} to={logHref({ actorIds: [event.actor.id] })} size="sm" data-testid="person-link">
                      Show everything {event.actor.name ?? event.actor.id} did
                    </Anchor>,
                  ],
                ] satisfies [string, ReactNode][])
              : []),
            ['Type', event.actor.type === 'SYSTEM' ? 'System' : 'User'],
            ['Role at the time', event.actor.role ? <RoleValue role={event.actor.role} /> : none],
          ]}
        />
      </Section>

      <Section title="Target">
        <FieldList
          label="Target"
          rows={
            event.entity
              ? [
                  ['Type', event.entity.type],
                  ['Id', <Code>{event.entity.id}</Code>],
                  ['Label', event.entity.label ?? none],
                  [
                    'All of its events',
                    <Anchor component={Link} to={logHref({ entityType: event.entity.type, entityId: event.entity.id })} size="sm">
                      Show the history of this target
                    </Anchor>,
                  ],
                ]
              : [['Target', 'This action has no target record']]
          }
        />
      </Section>

      <Section title="Context">
        <FieldList
          label="Context"
          rows={[
            ['IP address', <IpValue ip={context.ip} />],
            [
              'Session',
              context.sessionId ? (
                <Anchor component={Link} to={logHref({ sessionId: context.sessionId })} size="sm" data-testid="session-link">
                  {context.sessionId} — show the whole session
                </Anchor>
              ) : (
                none
              ),
            ],
            [
              'Device',
              context.deviceId ? (
                <>
                  <DeviceValue deviceId={context.deviceId} />
                  {context.deviceSeq !== null && (
                    <Text span size="sm">
                      {' '}
                      · event #{context.deviceSeq} of this device
                    </Text>
                  )}
                </>
              ) : (
                none
              ),
            ],
            [
              'Recorded offline',
              context.offline === null ? (
                none
              ) : context.offline ? (
                <Badge color="grape" variant="light" tt="none">
                  yes, offline
                </Badge>
              ) : (
                'no'
              ),
            ],
          ]}
        />
      </Section>

      <Section title="Sent by">
        <FieldList
          label="Sent by"
          rows={
            event.provenance
              ? [
                  [
                    'Credential',
                    event.provenance.credential ? (
                      <Anchor component={Link} to={logHref({ credential: event.provenance.credential })} size="sm" data-testid="credential-link">
                        {event.provenance.credential} — show everything it wrote
                      </Anchor>
                    ) : (
                      none
                    ),
                  ],
                  ['From address', event.provenance.sourceAddress ? <Code>{event.provenance.sourceAddress}</Code> : none],
                ]
              : [['Credential', 'Not recorded (stored before the log kept who sent each event)']]
          }
        />
      </Section>

      {event.metadata && Object.keys(event.metadata).length > 0 && (
        <Section title="Metadata">
          <Code block fz="xs">
            {JSON.stringify(event.metadata, null, 2)}
          </Code>
        </Section>
      )}

      <Section title="Chain position">
        <FieldList
          label="Chain position"
          rows={[
            ['Seq', <Code>{event.seq}</Code>],
            ['Hash', <CopyableText value={event.hash} label="Hash" />],
            ['Previous hash', <CopyableText value={event.prevHash} label="Previous hash" />],
          ]}
        />
      </Section>

      <Section title="Identifiers">
        <FieldList
          label="Identifiers"
          rows={[
            ['Record id', <CopyableText value={event.id} label="Record id" shorten={false} />],
            ['Event id', <CopyableText value={event.eventId} label="Event id" shorten={false} />],
            ['Tenant id', <CopyableText value={event.tenantId} label="Tenant id" shorten={false} />],
          ]}
        />
      </Section>
    </Stack>
  );
}
