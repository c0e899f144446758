import { Checkbox, PasswordInput, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { TStreamDraft } from './stream-input.ts';

type TChange = (next: Partial<TStreamDraft>) => void;

/**
 * The fields of the chosen kind, as ZStreamCreateInput takes them: the URL (a webhook, Splunk's HEC,
 * Datadog's intake) or the bucket, and the credential (Splunk's token, Datadog's key, S3's secret).
 * Optional fields left empty take the contract's default, which their placeholder shows.
 * `keepsCredential` (editing a stream): the credential field starts empty and may stay so, which
 * keeps the current one.
 */
export function StreamTargetFields({ draft, onChange, keepsCredential = false }: { draft: TStreamDraft; onChange: TChange; keepsCredential?: boolean }) {
  const { t } = useTranslation();
  const text = (key: keyof TStreamDraft, label: string, extra: { description?: string; placeholder?: string; required?: boolean } = {}) => (
    <TextInput
      label={label}
      value={String(draft[key])}
      onChange={(e) => onChange({ [key]: e.currentTarget.value })}
      spellCheck={false}
      autoComplete="off"
      {...extra}
    />
  );
  // Splunk's token and Datadog's key are sent to the URL's host (S3's secret only signs)
  const travelsToHost = draft.kind === 'SPLUNK' || draft.kind === 'DATADOG';
  const secret = (label: string) => (
    <PasswordInput
      label={label}
      description={t(keepsCredential ? (travelsToHost ? 'streams.secretKeepHost' : 'streams.secretKeep') : 'streams.secretHint')}
      value={draft.secret}
      onChange={(e) => onChange({ secret: e.currentTarget.value })}
      autoComplete="new-password"
      required={!keepsCredential}
    />
  );
  const empty = (value: string) => t('streams.whenEmpty', { value });
  // a URL the service shows by its host alone (stream-urls.ts): given back as is, it keeps the sealed one
  const urlHint = (hint: string, value: string | undefined) => (value?.includes('[REDACTED]') ? t('streams.urlSealed') : hint);
  switch (draft.kind) {
    case 'WEBHOOK':
      return (
        <>
          {text('url', t('streams.webhookUrl'), {
            description: urlHint(t('streams.webhookUrlHint'), draft.url),
            placeholder: 'https://siem.example.com/modula',
            required: true,
          })}
          <Text size="sm" c="dimmed">
            {keepsCredential ? t('streams.webhookSecretKept') : t('streams.webhookSecret')}
          </Text>
        </>
      );
    case 'SPLUNK':
      return (
        <>
          {text('url', t('streams.splunkUrl'), {
            description: urlHint(t('streams.splunkUrlHint'), draft.url),
            placeholder: 'https://splunk.example.com:8088',
            required: true,
          })}
          {secret(t('streams.splunkToken'))}
          {text('index', t('streams.splunkIndex'))}
          {text('source', t('streams.splunkSource'), { placeholder: empty('modula-audit') })}
          {text('sourcetype', t('streams.splunkSourcetype'), { placeholder: empty('modula:audit') })}
        </>
      );
    case 'DATADOG':
      return (
        <>
          {text('url', t('streams.datadogUrl'), { description: urlHint(t('streams.datadogUrlHint'), draft.url), required: true })}
          {secret(t('streams.datadogKey'))}
          {text('service', t('streams.datadogService'), { placeholder: empty('modula-audit') })}
          {text('tags', t('streams.datadogTags'), { description: t('streams.datadogTagsHint'), placeholder: 'env:prod,team:security' })}
        </>
      );
    case 'S3':
      return (
        <>
          {text('endpoint', t('streams.s3Endpoint'), {
            description: urlHint(t('streams.s3EndpointHint'), draft.endpoint),
            placeholder: 'https://minio.example.com',
          })}
          {text('bucket', t('streams.s3Bucket'), { required: true })}
          {text('region', t('streams.s3Region'), { placeholder: empty('us-east-1') })}
          {text('prefix', t('streams.s3Prefix'), { placeholder: t('streams.s3PrefixNone') })}
          {text('accessKeyId', t('streams.s3AccessKeyId'), { required: true })}
          {secret(t('streams.s3Secret'))}
          <Checkbox label={t('streams.s3PathStyle')} checked={draft.forcePathStyle} onChange={(e) => onChange({ forcePathStyle: e.currentTarget.checked })} />
        </>
      );
  }
}
