import { Code, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { revealHidden, UserText } from '../common/user-text.tsx';

const REDACTED = '[REDACTED]';

/** A stored value as it was: text plainly, anything else as JSON; redacted secrets marked as such. */
export function JsonValue({ value }: { value: unknown }) {
  const { t } = useTranslation();
  if (value === undefined)
    return (
      <Text span c="dimmed" size="sm">
        —
      </Text>
    );
  if (value === REDACTED)
    return (
      <Text span c="var(--mantine-color-orange-text)" size="sm" fs="italic">
        {t('diff.redacted')}
      </Text>
    );
  if (typeof value === 'string')
    return (
      <Text span size="sm" style={{ wordBreak: 'break-word' }}>
        <UserText value={value} />
      </Text>
    );
  const json = revealHidden(JSON.stringify(value, null, typeof value === 'object' && value !== null ? 2 : undefined));
  return json.includes('\n') ? (
    <Code block fz="xs">
      {json}
    </Code>
  ) : (
    <Code fz="xs">{json}</Code>
  );
}
