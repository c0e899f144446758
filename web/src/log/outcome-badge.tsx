import { Badge, Group } from '@mantine/core';
import type { TDenialReason, TOutcome } from '@modula/contracts';
import { OUTCOME_COLORS, OUTCOME_LABELS, REASON_LABELS } from '../common/labels.ts';

/** SUCCESS / REJECTED / FAILED, with the denial reason next to a rejection. */
export function OutcomeBadge({ outcome, reason }: { outcome: TOutcome; reason: TDenialReason | null }) {
  return (
    <Group gap={4} wrap="wrap">
      <Badge color={OUTCOME_COLORS[outcome]} variant="light" tt="none" style={{ flexShrink: 0 }}>
        {OUTCOME_LABELS[outcome]}
      </Badge>
      {reason && (
        <Badge color={OUTCOME_COLORS[outcome]} variant="outline" tt="none" style={{ flexShrink: 0 }}>
          {REASON_LABELS[reason]}
        </Badge>
      )}
    </Group>
  );
}
