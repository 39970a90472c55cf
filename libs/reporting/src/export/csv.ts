import { Readable } from 'node:stream';
import type { Cell, ExportTables } from './tables';

/** Excel opens a UTF-8 CSV as UTF-8 (and shows 年初预算数, not mojibake) only with a BOM. */
export const UTF8_BOM = '\uFEFF';

/** RFC 4180 quoting; null is an empty cell, booleans and figures exactly as in the JSON. */
export function csvCell(value: Cell | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The report as CSV, one line per chunk: a BOM, one header row of the JSON field names, then the
 * rows. A report of several tables (the scorecard's items and projects) is one table whose columns
 * are the union of theirs, each row filling its own.
 */
export async function* csvLines(tables: ExportTables): AsyncGenerator<string> {
  const fields: string[] = [];
  for (const sheet of tables.sheets) for (const c of sheet.columns) if (!fields.includes(c.field)) fields.push(c.field);
  yield `${UTF8_BOM}${fields.map(csvCell).join(',')}\r\n`;
  for (const sheet of tables.sheets) {
    // A paged report's rows arrive as they are read: each line goes out before the next page is asked for.
    for await (const row of sheet.rows) yield `${fields.map((f) => csvCell(row[f])).join(',')}\r\n`;
  }
}

export function csvStream(tables: ExportTables): Readable {
  return Readable.from(csvLines(tables), { objectMode: false });
}

export async function csvText(tables: ExportTables): Promise<string> {
  let text = '';
  for await (const line of csvLines(tables)) text += line;
  return text;
}
