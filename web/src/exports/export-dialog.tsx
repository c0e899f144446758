import { Alert, Anchor, Button, Code, Group, List, Loader, Modal, SegmentedControl, Stack, Text } from '@mantine/core';
import type { TEventsFilter, TExportFormat } from '@modula/contracts';
import { useState } from 'react';
import { errorCodeOf } from '../app/trpc.ts';
import { CopyableText } from '../entry/copyable-text.tsx';
import { useBranches } from '../log/use-branches.ts';
import { filterSummary } from './filter-summary.ts';
import { useExportPack } from './use-export-pack.ts';

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
  const [format, setFormat] = useState<TExportFormat>('csv');
  const { byId } = useBranches();
  const exportPack = useExportPack();
  const { pack } = exportPack;
  const busy = exportPack.starting || (exportPack.exportId !== undefined && (pack === undefined || pack.status === 'PENDING') && !exportPack.pollError);
  // a pack still being built stays followed: reopening the dialog shows it again
  const close = () => {
    if (!busy) exportPack.reset();
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title="Export a signed pack" size="lg" centered>
      <Stack gap="md">
        {exportPack.exportId === undefined && (
          <>
            <SegmentedControl aria-label="Format" data={FORMATS} value={format} onChange={(v) => setFormat(v as TExportFormat)} disabled={busy} />
            <Stack gap={4}>
              <Text size="sm" fw={500}>Events in the pack (the log’s current filter)</Text>
              <List size="sm" data-testid="export-filter">
                {filterSummary(filter, (id) => byId.get(id)?.name).map((line) => <List.Item key={line}>{line}</List.Item>)}
              </List>
              <Text size="xs" c="dimmed">The pack is signed by the service and its export is itself recorded in the log.</Text>
            </Stack>
          </>
        )}
        {exportPack.startError && (
          <Alert color="red" title="The export could not start" role="alert">
            {errorCodeOf(exportPack.startError) === 'SERVICE_UNAVAILABLE'
              ? 'The export queue is unavailable right now. Try again in a moment.'
              : exportPack.startError.message}
          </Alert>
        )}
        {busy && exportPack.exportId !== undefined && (
          <Group gap="sm" role="status" data-testid="export-progress">
            <Loader size="sm" />
            <Text size="sm">Writing and signing the {format.toUpperCase()} pack… Large packs take a while; you can keep this open.</Text>
          </Group>
        )}
        {exportPack.pollError && (
          <Alert color="red" title="Could not follow the export" role="alert">
            {exportPack.pollError.message}
          </Alert>
        )}
        {pack?.status === 'FAILED' && (
          <Alert color="red" title="The export failed" role="alert">{pack.error ?? 'The service could not build the pack.'}</Alert>
        )}
        {pack?.status === 'READY' && (
          <Stack gap="xs" data-testid="export-ready">
            <Text size="sm">
              The pack is ready: <b data-testid="export-rows">{(pack.rows ?? 0).toLocaleString()}</b> {pack.rows === 1 ? 'event' : 'events'}.
            </Text>
            <Group gap="md">
              {pack.url && <Button component="a" href={pack.url} download>Download {format.toUpperCase()}</Button>}
              {pack.manifestUrl && <Anchor href={pack.manifestUrl} download size="sm">Signed manifest</Anchor>}
            </Group>
            {pack.sha256 && (
              <Group gap="xs"><Text size="sm">SHA-256</Text><CopyableText value={pack.sha256} label="SHA-256 of the file" /></Group>
            )}
            <Text size="xs" c="dimmed">
              Keep the manifest beside the file. Anyone can check the pack offline with the service’s public key
              (<Anchor href="/.well-known/modula-audit/keys.json" size="xs">keys.json</Anchor>):
            </Text>
            <Code block fz="xs">pnpm --silent cli verify-export FILE --public-key keys.json</Code>
          </Stack>
        )}
        <Group justify="flex-end">
          {exportPack.exportId === undefined ? (
            <>
              <Button variant="default" onClick={close}>Cancel</Button>
              <Button onClick={() => exportPack.start(format, filter)} loading={exportPack.starting}>Create export</Button>
            </>
          ) : (
            <>
              {!busy && <Button variant="default" onClick={() => exportPack.reset()}>New export</Button>}
              <Button variant="default" onClick={close}>{busy ? 'Close (the pack keeps building)' : 'Close'}</Button>
            </>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
