import { Alert, Anchor, Button, Code, Group, List, Loader, Modal, SegmentedControl, Stack, Text } from '@mantine/core';
import type { TEventsFilter, TExportFormat } from '@modula/contracts';
import { useState } from 'react';
import { errorCodeOf } from '../app/trpc.ts';
import { CopyableText } from '../entry/copyable-text.tsx';
import { useBranches } from '../log/use-branches.ts';
import { exportErrorText } from './export-errors.ts';
import { filterSummary } from './filter-summary.ts';
import { useExportPack } from './use-export-pack.ts';

/** Polling errors after which following the pack again cannot help: the Admin starts anew. */
const FINAL_POLL_ERRORS = new Set(['NOT_FOUND', 'FORBIDDEN', 'UNAUTHORIZED']);

const FORMATS = [
  { value: 'csv', label: 'CSV (spreadsheet)' },
  { value: 'pdf', label: 'PDF (official document)' },
];

/**
 * "Export…" on the log: a signed CSV or PDF pack of exactly the events the current filter shows.
 * The Admin confirms the filter, waits while the service writes and signs it, then downloads the
 * file and its manifest; the checksum and the offline check are shown for the auditor.
 */
export function ExportDialog({ opened, onClose, filter }: { opened: boolean; onClose: () => void; filter: TEventsFilter }) {
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
    pack?.status === 'READY' ? `The ${format.toUpperCase()} pack is ready.` : following ? `Writing and signing the ${format.toUpperCase()} pack…` : '';
  return (
    <Modal opened={opened} onClose={close} title="Export a signed pack" size="lg" centered closeButtonProps={{ 'aria-label': 'Close the export dialog' }}>
      <Stack gap="md">
        {exportPack.exportId === undefined && (
          <SegmentedControl aria-label="Format" data={FORMATS} value={format} onChange={(v) => setFormat(v as TExportFormat)} disabled={busy} />
        )}
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {exportPack.exportId === undefined ? 'Events in the pack (the log’s current filter)' : `Events in this ${format.toUpperCase()} pack`}
          </Text>
          <List size="sm" data-testid="export-filter">
            {filterSummary(shownFilter, (id) => byId.get(id)?.name).map((line) => (
              <List.Item key={line}>{line}</List.Item>
            ))}
          </List>
          {exportPack.exportId === undefined && (
            <Text size="xs" c="dimmed">
              The pack holds the matching events stored when it is built, is signed by the service, and its export is itself recorded in the log.
            </Text>
          )}
        </Stack>
        {exportPack.startError && (
          <Alert color="red" title="The export could not start" role="alert">
            {exportErrorText(exportPack.startError)}
          </Alert>
        )}
        {/* one live region for the whole life of the dialog, so screen readers hear "ready" */}
        <Group gap="sm" role="status" aria-live="polite" data-testid="export-progress">
          {following && <Loader size="sm" />}
          {liveText !== '' && (
            <Text size="sm">
              {liveText}
              {pack?.status !== 'READY' && ' Large packs take a while; you can keep this open.'}
            </Text>
          )}
        </Group>
        {exportPack.pollError && (
          <Alert color="red" title="Could not follow the export" role="alert">
            <Stack gap="xs" align="flex-start">
              <Text size="sm">
                {exportErrorText(exportPack.pollError)}
                {!lost && ' The pack may still be building.'}
              </Text>
              {!lost && (
                <Button size="xs" variant="light" onClick={exportPack.retryPoll}>
                  Check again
                </Button>
              )}
            </Stack>
          </Alert>
        )}
        {pack?.status === 'FAILED' && (
          <Alert color="red" title="The export failed" role="alert">
            {pack.error ?? 'The service could not build the pack.'}
          </Alert>
        )}
        {pack?.status === 'READY' && (
          <Stack gap="xs" data-testid="export-ready">
            <Text size="sm">
              <b data-testid="export-rows">{(pack.rows ?? 0).toLocaleString()}</b> {pack.rows === 1 ? 'event' : 'events'} in the pack.
            </Text>
            <Group gap="md">
              {pack.url && (
                <Button component="a" href={pack.url} download>
                  Download {format.toUpperCase()}
                </Button>
              )}
              {pack.manifestUrl && (
                <Anchor href={pack.manifestUrl} download size="sm">
                  Signed manifest
                </Anchor>
              )}
            </Group>
            {pack.sha256 && (
              <Stack gap={2} data-testid="export-sha256">
                <Text size="sm">SHA-256 of the file</Text>
                <CopyableText value={pack.sha256} label="SHA-256 of the file" shorten={false} />
              </Stack>
            )}
            <Text size="xs" c="dimmed">
              Keep the manifest beside the file. Anyone can check the pack offline with the service’s public key (
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
                Cancel
              </Button>
              <Button onClick={() => exportPack.start(format, filter)} loading={exportPack.starting}>
                Create export
              </Button>
            </>
          ) : (
            <>
              {!busy && (
                <Button variant="default" onClick={() => exportPack.reset()}>
                  New export
                </Button>
              )}
              <Button variant="default" onClick={close}>
                {busy ? 'Close (the pack keeps building)' : 'Close'}
              </Button>
            </>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
