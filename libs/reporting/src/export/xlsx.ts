import { PassThrough, type Readable, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Cell, Column, ExportTables } from './tables';

const FORMATS: Record<Column['kind'], string | undefined> = {
  amount: '#,##0.00',
  ratio: '0.00%',
  score: '0.00',
  boolean: undefined,
  text: undefined,
};

const BOOLEAN_TEXT = { true: '是', false: '否' } as const;

/**
 * A spreadsheet cell from a JSON leaf. Amounts, ratios and scores become numbers so that Excel can
 * sum and chart them: a decimal string of at most two (amounts) or four (ratios) decimals below
 * 2^53 / 100 converts to the double nearest to it, which is what Excel would store if a person
 * typed it, and it reads back as the same decimal string.
 */
export function xlsxValue(column: Column, value: Cell | undefined): ExcelJS.CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return BOOLEAN_TEXT[value ? 'true' : 'false'];
  if (column.kind === 'amount' || column.kind === 'ratio' || column.kind === 'score') {
    const n = typeof value === 'number' ? value : Number(value);
    return Number.isFinite(n) ? n : String(value);
  }
  return value;
}

/**
 * Writes the report as XLSX to `out`, a row at a time (exceljs's streaming writer commits each row
 * to the zip as it goes, so a 10,000-line view is never a whole workbook in memory): a title row,
 * the Chinese header row, then the figures, one sheet per table.
 */
export async function writeXlsx(tables: ExportTables, out: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'budget-execution-ledger';
  for (const sheet of tables.sheets) {
    const ws = workbook.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 2 }] });
    ws.columns = sheet.columns.map((c) => ({
      key: c.field,
      width: c.kind === 'text' ? Math.max(12, Math.min(40, c.header.length * 2 + 4)) : 16,
      style: FORMATS[c.kind] === undefined ? {} : { numFmt: FORMATS[c.kind] },
    }));
    // Setting ws.columns writes no header row by itself when the keys carry no header: row 1 is the title.
    const title = ws.getRow(1);
    title.getCell(1).value = tables.title;
    title.font = { bold: true };
    title.commit();
    const header = ws.getRow(2);
    sheet.columns.forEach((c, i) => (header.getCell(i + 1).value = c.header));
    header.font = { bold: true };
    header.commit();
    let n = 3;
    for await (const row of sheet.rows) {
      const r = ws.getRow(n++);
      sheet.columns.forEach((c, i) => {
        const cell = r.getCell(i + 1);
        cell.value = xlsxValue(c, row[c.field]);
        const format = FORMATS[c.kind];
        if (format !== undefined) cell.numFmt = format;
      });
      r.commit();
    }
    ws.commit();
  }
  await workbook.commit();
}

/** The XLSX as a readable stream, for HTTP responses. */
export function xlsxStream(tables: ExportTables): Readable {
  const out = new PassThrough();
  writeXlsx(tables, out).catch((error: unknown) => out.destroy(error as Error));
  return out;
}
