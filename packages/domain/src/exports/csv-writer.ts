import { stringify } from 'csv-stringify/sync';
import type { TEventViewRow } from '../read/event-view.ts';
import { CSV_HEADER, csvRecord } from './csv-cells.ts';
import type { HashingFile } from './hashing-file.ts';

/** CSV (RFC 4180, UTF-8, CRLF), written one page of rows at a time. */
export function csvWriter(file: HashingFile) {
  file.push(stringify([CSV_HEADER as unknown as string[]], { record_delimiter: 'windows' }));
  return {
    async page(rows: TEventViewRow[]) {
      file.push(stringify(rows.map(csvRecord), { record_delimiter: 'windows' }));
      await file.drained();
    },
  };
}
