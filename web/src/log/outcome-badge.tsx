import { Badge, Group } from '@mantine/core';
import type { TDenialReason, TOutcome } from '@modula/contracts';
import { useTranslation } from 'react-i18next';
import { OUTCOME_COLORS } from '../common/labels.ts';

/** SUCCESS / REJECTED / FAILED, with the denial reason next to a rejection. */
export function OutcomeBadge({ outcome, reason }: { outcome: TOutcome; reason: TDenialReason | null }) {
  const { t } = useTranslation();
  return (
    <Group gap={4} wrap="wrap">
      <Badge color={OUTCOME_COLORS[outcome]} variant="light" tt="none" style={{ flexShrink: 0 }}>
        {t(`outcome.${outcome}`)}
      </Badge>
      {reason && (
        <Badge color={OUTCOME_COLORS[outcome]} variant="outline" tt="none" style={{ flexShrink: 0 }}>
          {t(`reason.${reason}`)}
        </Badge>
      )}
    </Group>
  );
}
