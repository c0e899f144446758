import { Alert, Button, Group, Radio, Stack, TextInput } from '@mantine/core';
import { STREAM_KINDS, type TStreamKind } from '@modula/contracts';
import { useTranslation } from 'react-i18next';
import { asTranslate } from '../i18n/english.ts';
import type { TStreamDraft } from './stream-input.ts';
import { StreamTargetFields } from './stream-target-fields.tsx';
import { streamErrorText } from './stream-text.ts';

interface TStreamFormProps {
  draft: TStreamDraft;
  onChange: (next: Partial<TStreamDraft>) => void;
  /**
   * Creating: the kind is chosen here. Absent (editing): the kind is shown, read-only — a stream
   * keeps its kind — and an empty credential keeps the current one.
   */
  onChooseKind?: (kind: TStreamKind) => void;
  /** What the service refused, under a title saying what did not happen; the form keeps what was typed. */
  refusal: { title: string; error: unknown; testId: string } | null;
  submit: { label: string; pending: boolean; disabled: boolean };
  onCancel: () => void;
  onSubmit: () => void;
}

/**
 * The form of the "New log stream" and "Edit log stream" dialogs: the name, the kind, that kind's
 * fields, what the service refused, and the buttons. Every field is labelled; Enter submits.
 */
export function StreamForm({ draft, onChange, onChooseKind, refusal, submit, onCancel, onSubmit }: TStreamFormProps) {
  const { t } = useTranslation();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <Stack>
        <TextInput
          label={t('streams.name')}
          description={t('streams.nameHint')}
          value={draft.name}
          onChange={(e) => onChange({ name: e.currentTarget.value })}
          maxLength={80}
          required
          data-autofocus
        />
        {onChooseKind ? (
          <Radio.Group label={t('streams.kind')} value={draft.kind} onChange={(v) => onChooseKind(v as TStreamKind)} required>
            <Group gap="md" mt={6}>
              {STREAM_KINDS.map((kind) => (
                <Radio key={kind} value={kind} label={t(`streams.kinds.${kind}`)} />
              ))}
            </Group>
          </Radio.Group>
        ) : (
          <TextInput label={t('streams.kind')} description={t('streams.kindFixed')} value={t(`streams.kinds.${draft.kind}`)} variant="filled" readOnly />
        )}
        <StreamTargetFields draft={draft} onChange={onChange} keepsCredential={!onChooseKind} />
        {refusal && (
          <Alert color="red" title={refusal.title} role="alert" data-testid={refusal.testId}>
            {streamErrorText(refusal.error, asTranslate(t))}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            {t('streams.cancel')}
          </Button>
          <Button type="submit" loading={submit.pending} disabled={submit.disabled}>
            {submit.label}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
