import { Alert, Anchor, Badge, Code, Group, List, Stack, Text, Title } from '@mantine/core';
import type { TAuditEventView, TBranchView } from '@modula/contracts';
import type { ReactNode } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDateTime, zoneLabelAt } from '../common/format-time.ts';
import { revealHidden, UserSentence, UserText, userTextSlot } from '../common/user-text.tsx';
import { ActionValue, ActorValue, BranchValue, DeviceValue, IpValue, RoleValue } from '../log/event-values.tsx';
import { EventSentence } from '../log/event-sentence.tsx';
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

/** The outcome note in the viewer's language (outcomeNote is its English). */
function translatedNote(event: TAuditEventView, t: TFunction): string | null {
  if (event.claimedOutcome === event.outcome) return null;
  const because =
    event.reason === 'BRANCH_FROZEN'
      ? t('entry.becauseBranch')
      : event.reason === 'TENANT_FROZEN'
        ? t('entry.becauseTenant')
        : event.reason
          ? t('entry.becauseRule', { rule: t(`reason.${event.reason}`) })
          : '';
  return t(event.context.deviceId ? 'entry.noteDevice' : 'entry.noteClient', {
    claimed: t(`outcome.${event.claimedOutcome}`),
    outcome: t(`outcome.${event.outcome}`),
    because,
  });
}

/** Every field of one stored event, grouped as an investigation reads it; times with their zone's offset. */
export function EntryDetails({ event, branch }: { event: TAuditEventView; branch: TBranchView | undefined }) {
  const { t, i18n } = useTranslation();
  const note = i18n.resolvedLanguage === 'es' ? translatedNote(event, t) : outcomeNote(event);
  const { context } = event;
  const outcome = (o: TAuditEventView['outcome']) => t(`outcome.${o}`);
  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Text fw={600} size="lg">
          <EventSentence event={event} />
        </Text>
        <Group gap="xs">
          <OutcomeBadge outcome={event.outcome} reason={event.reason} />
          <SyncBadges event={event} />
        </Group>
      </Stack>

      {note && (
        <Alert color="orange" title={t('entry.changedOutcome')} role="note" data-testid="outcome-note">
          {note}
        </Alert>
      )}

      <Section title={t('entry.changes')}>
        <EntryDiff before={event.before} after={event.after} />
        {event.redactedPaths.length > 0 && (
          <Alert color="gray" variant="light" title={t('entry.redacted')} data-testid="redacted-paths">
            <Text size="sm">{t('entry.redactedHint')}</Text>
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

      <Section title={t('entry.whatWhen')}>
        <FieldList
          label={t('entry.whatWhen')}
          rows={[
            [
              t('entry.occurred'),
              <>
                {formatDateTime(event.occurredAt)}{' '}
                <Text span c="dimmed" size="xs">
                  ({zoneLabelAt(event.occurredAt)})
                </Text>
              </>,
            ],
            [t('entry.received'), formatDateTime(event.receivedAt)],
            [
              t('entry.action'),
              <>
                <ActionValue action={event.action} />{' '}
                <Text span size="sm" c="dimmed">
                  {t('entry.inModule', { module: t(`module.${event.module}`) })}
                </Text>
              </>,
            ],
            [t('entry.outcome'), outcome(event.outcome)],
            [
              t('entry.claimedOutcome'),
              event.claimedOutcome === event.outcome ? (
                outcome(event.claimedOutcome)
              ) : (
                <Text span fw={600} size="sm">
                  {outcome(event.claimedOutcome)}
                </Text>
              ),
            ],
            [
              t('entry.branch'),
              event.branchId ? (
                <>
                  <BranchValue branchId={event.branchId} branch={branch} /> <CopyableText value={event.branchId} label={t('entry.branchId')} />
                </>
              ) : (
                t('entry.tenantLevel')
              ),
            ],
          ]}
        />
      </Section>

      <Section title={t('entry.who')}>
        <FieldList
          label={t('entry.who')}
          rows={[
            [t('entry.actor'), <ActorValue actor={event.actor} />],
            ...(event.actor.id
              ? ([
                  [
                    t('entry.everything'),
                    <Anchor component={Link} to={logHref({ actorIds: [event.actor.id] })} size="sm" data-testid="person-link">
                      <UserSentence text={t('entry.showEverything', { name: userTextSlot(0) })} values={[event.actor.name ?? event.actor.id]} />
                    </Anchor>,
                  ],
                ] satisfies [string, ReactNode][])
              : []),
            [t('entry.type'), event.actor.type === 'SYSTEM' ? t('entry.system') : t('entry.user')],
            [t('entry.roleThen'), event.actor.role ? <RoleValue role={event.actor.role} /> : none],
          ]}
        />
      </Section>

      <Section title={t('entry.target')}>
        <FieldList
          label={t('entry.target')}
          rows={
            event.entity
              ? [
                  [t('entry.type'), <UserText value={event.entity.type} />],
                  [
                    t('entry.id'),
                    <Code>
                      <UserText value={event.entity.id} />
                    </Code>,
                  ],
                  [t('entry.label'), event.entity.label === null ? none : <UserText value={event.entity.label} />],
                  [
                    t('entry.allEvents'),
                    <Anchor component={Link} to={logHref({ entityType: event.entity.type, entityId: event.entity.id })} size="sm">
                      {t('entry.history')}
                    </Anchor>,
                  ],
                ]
              : [[t('entry.target'), t('entry.noTarget')]]
          }
        />
      </Section>

      <Section title={t('entry.context')}>
        <FieldList
          label={t('entry.context')}
          rows={[
            [t('entry.ip'), <IpValue ip={context.ip} />],
            [
              t('entry.session'),
              context.sessionId ? (
                <Anchor component={Link} to={logHref({ sessionId: context.sessionId })} size="sm" data-testid="session-link">
                  <UserSentence text={t('entry.wholeSession', { id: userTextSlot(0) })} values={[context.sessionId]} />
                </Anchor>
              ) : (
                none
              ),
            ],
            [
              t('entry.device'),
              context.deviceId ? (
                <>
                  <DeviceValue deviceId={context.deviceId} />
                  {context.deviceSeq !== null && (
                    <Text span size="sm">
                      {t('entry.deviceSeq', { seq: context.deviceSeq })}
                    </Text>
                  )}
                </>
              ) : (
                none
              ),
            ],
            [
              t('entry.offline'),
              context.offline === null ? (
                none
              ) : context.offline ? (
                <Badge color="grape" variant="light" tt="none">
                  {t('entry.yesOffline')}
                </Badge>
              ) : (
                t('entry.no')
              ),
            ],
          ]}
        />
      </Section>

      <Section title={t('entry.sentBy')}>
        <FieldList
          label={t('entry.sentBy')}
          rows={
            event.provenance
              ? [
                  [
                    t('entry.credential'),
                    event.provenance.credential ? (
                      <Anchor component={Link} to={logHref({ credential: event.provenance.credential })} size="sm" data-testid="credential-link">
                        {t('entry.everythingItWrote', { id: event.provenance.credential })}
                      </Anchor>
                    ) : (
                      none
                    ),
                  ],
                  [t('entry.fromAddress'), event.provenance.sourceAddress ? <Code>{event.provenance.sourceAddress}</Code> : none],
                ]
              : [[t('entry.credential'), t('entry.notRecorded')]]
          }
        />
      </Section>

      {event.metadata && Object.keys(event.metadata).length > 0 && (
        <Section title={t('entry.metadata')}>
          <Code block fz="xs">
            {revealHidden(JSON.stringify(event.metadata, null, 2))}
          </Code>
        </Section>
      )}

      <Section title={t('entry.chain')}>
        <FieldList
          label={t('entry.chain')}
          rows={[
            [t('entry.seq'), <Code>{event.seq}</Code>],
            [t('entry.hash'), <CopyableText value={event.hash} label={t('entry.hash')} />],
            [t('entry.prevHash'), <CopyableText value={event.prevHash} label={t('entry.prevHash')} />],
          ]}
        />
      </Section>

      <Section title={t('entry.identifiers')}>
        <FieldList
          label={t('entry.identifiers')}
          rows={[
            [t('entry.recordId'), <CopyableText value={event.id} label={t('entry.recordId')} shorten={false} />],
            [t('entry.eventId'), <CopyableText value={event.eventId} label={t('entry.eventId')} shorten={false} />],
            [t('entry.tenantId'), <CopyableText value={event.tenantId} label={t('entry.tenantId')} shorten={false} />],
          ]}
        />
      </Section>
    </Stack>
  );
}
