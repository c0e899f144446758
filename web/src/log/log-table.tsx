import { Table, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { TAuditEventView, TBranchView } from '@modula/contracts';
import { useTranslation } from 'react-i18next';
import { zoneLabel } from '../common/format-time.ts';
import './log-table.css';
import { LogRow } from './log-row.tsx';
import { useWindowRows } from './use-window-rows.ts';

/** Below this width (Mantine's `sm`) each event is a card of its own instead of a row of a table. */
export const CARDS_QUERY = '(max-width: 47.99em)';

/**
 * The log's rows, newest first, with times in the chosen time zone (its offset in the heading). Only the rows near the
 * viewport are in the page (a window virtualiser): with 10,000 events loaded the page holds a few
 * dozen rows, and a spacer stands for the others. Each row is its own `<tbody>` so that it can be
 * measured as it is (rows grow with their content, and cards more so) without LogRow knowing.
 * On a phone the same rows are laid out as cards (log-table.css).
 */
export function LogTable({
  events,
  branches,
  selectedId,
  entryHref,
  onOpen,
}: {
  events: TAuditEventView[];
  branches: Map<string, TBranchView>;
  selectedId: string | null;
  entryHref: (id: string) => string;
  onOpen: (id: string) => void;
}) {
  const { t } = useTranslation();
  const cards = useMediaQuery(CARDS_QUERY, undefined, { getInitialValueInEffect: false });
  const rows = useWindowRows(events.length, cards ? 150 : 64);
  return (
    <Table.ScrollContainer minWidth={cards ? 0 : 960} type="native">
      <Table
        ref={rows.tableRef}
        className="log-table"
        data-layout={cards ? 'cards' : 'table'}
        highlightOnHover
        verticalSpacing="xs"
        aria-label={t('log.tableLabel')}
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('log.time', { zone: zoneLabel() })}</Table.Th>
            <Table.Th>{t('log.actor')}</Table.Th>
            <Table.Th>{t('log.action')}</Table.Th>
            <Table.Th>{t('log.target')}</Table.Th>
            <Table.Th>{t('log.outcome')}</Table.Th>
            <Table.Th>{t('log.branch')}</Table.Th>
            <Table.Th>{t('log.ip')}</Table.Th>
            <Table.Th>{t('log.device')}</Table.Th>
            <Table.Th>
              <VisuallyHidden>{t('log.sync')}</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        {rows.items.map(({ index, gap }) => {
          const event = events[index]!;
          return [
            <Spacer key={`gap-${event.id}`} height={gap} />,
            <Table.Tbody key={event.id} ref={rows.measure} data-index={index} onFocus={() => rows.holdFocus(index)} onBlur={() => rows.holdFocus(null)}>
              <LogRow
                event={event}
                branch={event.branchId ? branches.get(event.branchId) : undefined}
                entryHref={entryHref(event.id)}
                selected={event.id === selectedId}
                onOpen={onOpen}
              />
            </Table.Tbody>,
          ];
        })}
        <Spacer height={rows.after} />
      </Table>
    </Table.ScrollContainer>
  );
}

/** The height of the rows that are not in the page, above or below the ones that are. */
function Spacer({ height }: { height: number }) {
  if (height < 1) return null;
  return (
    <tbody aria-hidden="true" className="log-table-spacer">
      <tr>
        <td colSpan={100} style={{ height, padding: 0, border: 0 }} />
      </tr>
    </tbody>
  );
}
