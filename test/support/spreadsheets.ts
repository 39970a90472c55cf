import ExcelJS from 'exceljs';

/** RFC 4180 CSV → rows of cells; a test's own reader, so that the writer is not checked by itself. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** CSV rows as objects keyed by the header row. */
export function csvRecords(text: string): { header: string[]; records: Record<string, string>[] } {
  const [header = [], ...rows] = parseCsv(text);
  return { header, records: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) };
}

/** A cell's value as text; rich values (never written by the ledger) as JSON, to show in a failure. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export interface SheetCells {
  readonly name: string;
  readonly title: string;
  readonly header: string[];
  readonly rows: { value: ExcelJS.CellValue; numFmt: string | undefined }[][];
}

/** Reads an XLSX back with exceljs: each sheet's title row, Chinese header row and typed cells. */
export async function readXlsx(buffer: Buffer | ArrayBuffer): Promise<SheetCells[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as ArrayBuffer);
  return workbook.worksheets.map((ws) => {
    const header: string[] = [];
    ws.getRow(2).eachCell({ includeEmpty: true }, (cell, col) => (header[col - 1] = cellText(cell.value)));
    const rows: SheetCells['rows'] = [];
    for (let r = 3; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      rows.push(header.map((_, i) => ({ value: row.getCell(i + 1).value, numFmt: row.getCell(i + 1).numFmt })));
    }
    return { name: ws.name, title: cellText(ws.getRow(1).getCell(1).value), header, rows };
  });
}

/** A number read back from a spreadsheet, printed as the JSON prints that kind of figure. */
export function asJsonFigure(value: ExcelJS.CellValue, kind: 'amount' | 'ratio' | 'score', json: string): string {
  if (typeof value !== 'number') return cellText(value);
  // The JSON's own decimal count (ratios have 4 places, some 2, thresholds "0.10"): the
  // spreadsheet must give back the same decimal at that precision.
  const places = json.includes('.') ? (json.split('.')[1] as string).length : 0;
  void kind;
  return value.toFixed(places);
}
