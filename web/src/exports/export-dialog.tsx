import { Alert, Anchor, Button, Code, Group, List, Loader, Modal, SegmentedControl, Stack, Text } from '@mantine/core';
import type { TEventsFilter, TExportFormat } from '@modula/contracts';
import { useState } from 'react';
import { errorCodeOf } from '../app/trpc.ts';
import { CopyableText } from '../entry/copyable-text.tsx';
import { useBranches } from '../log/use-branches.ts';
import { exportErrorText } from './export-errors.ts';
import { filterSummary } from './filter-summary.ts';
import { useExportPack } from './use-export-pack.ts';
import { Trans, useTranslation } from 'react-i18next';
import { formatNumber } from '../common/format-time.ts';
import { asTranslate } from '../i18n/english.ts';

/** Polling errors after which following the pack again cannot help: the Admin starts anew. */
const FINAL_POLL_ERRORS = new Set(['NOT_FOUND', 'FORBIDDEN', 'UNAUTHORIZED']);

/**
 * "Export…" on the log: a signed CSV or PDF pack of exactly the events the current filter shows.
 * The Admin confirms the filter, waits while the service writes and signs it, then downloads the
 * file and its manifest; the checksum and the offline check are shown for the auditor.
 */
export function ExportDialog({ opened, onClose, filter }: { opened: boolean; onClose: () => void; filter: TEventsFilter }) {
  const { t: tx } = useTranslation();
  const t = asTranslate(tx);
  const [chosenFormat, setFormat] = useState<TExportFormat>('csv');
  const { byId } = useBranches();
  const exportPack = useExportPack();
  const { pack, requested } = exportPack;
  // once started, the dialog describes the pack being built, even if the log's filter changed since
  const started = exportPack.starting || exportPack.exportId !== undefined;
  const format = started && requested ? requested.format : chosenFormat;
  const shownFilter = started && requested ? (requested.filter ?? {}) : filter;
  const finished = pack?.status === 'READY' || pack?.status === 'FAILED';
  // a passing poll error does not end the export (the pack may still be building); these do
  const lost = FINAL_POLL_ERRORS.has(errorCodeOf(exportPack.pollError) ?? '');
  const busy = exportPack.starting || (exportPack.exportId !== undefined && !finished && !lost);
  // the service is building the pack and the dialog hears from it
  const following = busy && exportPack.exportId !== undefined && !exportPack.pollError;
  // a pack still being built stays followed while the log page is open: reopening shows it again
  const close = () => {
    if (!busy) exportPack.reset();
    onClose();
  };
  const liveText =
    pack?.status === 'READY' ? t('exports.ready', { format: format.toUpperCase() }) : following ? t('exports.writing', { format: format.toUpperCase() }) : '';
  return (
    <Modal opened={opened} onClose={close} title={t('exports.title')} size="lg" centered closeButtonProps={{ 'aria-label': t('exports.close') }}>
      <Stack gap="md">
        {exportPack.exportId === undefined && (
          <SegmentedControl
            aria-label={t('exports.format')}
            data={[
              { value: 'csv', label: t('exports.csv') },
              { value: 'pdf', label: t('exports.pdf') },
            ]}
            value={format}
            onChange={(v) => setFormat(v as TExportFormat)}
            disabled={busy}
          />
        )}
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {exportPack.exportId === undefined ? t('exports.eventsCurrent') : t('exports.eventsThis', { format: format.toUpperCase() })}
          </Text>
          <List size="sm" data-testid="export-filter">
            {filterSummary(shownFilter, (id) => byId.get(id)?.name, t).map((line) => (
              <List.Item key={line}>{line}</List.Item>
            ))}
          </List>
          {exportPack.exportId === undefined && (
            <Text size="xs" c="dimmed">
              {t('exports.holds')}
            </Text>
          )}
        </Stack>
        {exportPack.startError && (
          <Alert color="red" title={t('exports.couldNotStart')} role="alert">
            {exportErrorText(exportPack.startError, t)}
          </Alert>
        )}
        {/* one live region for the whole life of the dialog, so screen readers hear "ready" */}
        <Group gap="sm" role="status" aria-live="polite" data-testid="export-progress">
          {following && <Loader size="sm" />}
          {liveText !== '' && (
            <Text size="sm">
              {liveText}
              {pack?.status !== 'READY' && t('exports.takesAWhile')}
            </Text>
          )}
        </Group>
        {exportPack.pollError && (
          <Alert color="red" title={t('exports.couldNotFollow')} role="alert">
            <Stack gap="xs" align="flex-start">
              <Text size="sm">
                {exportErrorText(exportPack.pollError, t)}
                {!lost && t('exports.mayStillBuild')}
              </Text>
              {!lost && (
                <Button size="xs" variant="light" onClick={exportPack.retryPoll}>
                  {t('exports.checkAgain')}
                </Button>
              )}
            </Stack>
          </Alert>
        )}
        {pack?.status === 'FAILED' && (
          <Alert color="red" title={t('exports.failed')} role="alert">
            {pack.error ?? t('exports.couldNotBuild')}
          </Alert>
        )}
        {pack?.status === 'READY' && (
          <Stack gap="xs" data-testid="export-ready">
            <Text size="sm">
              <Trans
                i18nKey="exports.rows"
                count={pack.rows ?? 0}
                values={{ n: formatNumber(pack.rows ?? 0) }}
                components={{ b: <b data-testid="export-rows" /> }}
              />
            </Text>
            <Group gap="md">
              {pack.url && (
                <Button component="a" href={pack.url} download>
                  {t('exports.download', { format: format.toUpperCase() })}
                </Button>
              )}
              {pack.manifestUrl && (
                <Anchor href={pack.manifestUrl} download size="sm">
                  {t('exports.manifest')}
                </Anchor>
              )}
            </Group>
            {pack.sha256 && (
              <Stack gap={2} data-testid="export-sha256">
                <Text size="sm">{t('exports.sha256')}</Text>
                <CopyableText value={pack.sha256} label={t('exports.sha256')} shorten={false} />
              </Stack>
            )}
            <Text size="xs" c="dimmed">
              {t('exports.keepManifest')}
              <Anchor href="/.well-known/modula-audit/keys.json" size="xs" underline="always">
                keys.json
              </Anchor>
              ):
            </Text>
            <Code block fz="xs" style={{ whiteSpace: 'pre-wrap' }}>
              pnpm --silent cli verify-export FILE --public-key keys.json
            </Code>
          </Stack>
        )}
        <Group justify="flex-end">
          {exportPack.exportId === undefined ? (
            <>
              <Button variant="default" onClick={close}>
                {t('exports.cancel')}
              </Button>
              <Button onClick={() => exportPack.start(format, filter)} loading={exportPack.starting}>
                {t('exports.create')}
              </Button>
            </>
          ) : (
            <>
              {!busy && (
                <Button variant="default" onClick={() => exportPack.reset()}>
                  {t('exports.newExport')}
                </Button>
              )}
              <Button variant="default" onClick={close}>
                {busy ? t('exports.closeBuilding') : t('exports.closeDone')}
              </Button>
            </>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
