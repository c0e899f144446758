import { ActionIcon, Code, CopyButton, Group, Tooltip } from '@mantine/core';
import { CopyIcon } from '../common/copy-icon.tsx';
import { shortHash } from '../common/short-hash.ts';
import { useTranslation } from 'react-i18next';

/** A long value (hash, id) shortened for reading, with its full text in a tooltip and a copy button. */
export function CopyableText({ value, label, shorten = true }: { value: string; label: string; shorten?: boolean }) {
  const { t } = useTranslation();
  return (
    <Group gap={6} wrap="nowrap">
      <Tooltip label={value} maw={480} multiline style={{ wordBreak: 'break-all' }}>
        <Code fz="xs" aria-label={`${label}: ${value}`} style={shorten ? undefined : { wordBreak: 'break-all' }}>
          {shorten ? shortHash(value) : value}
        </Code>
      </Tooltip>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <ActionIcon
            size="sm"
            variant="subtle"
            color={copied ? 'teal' : 'gray'}
            onClick={copy}
            aria-label={copied ? t('diff.copied', { label }) : t('diff.copy', { label })}
          >
            <CopyIcon copied={copied} />
          </ActionIcon>
        )}
      </CopyButton>
    </Group>
  );
}
