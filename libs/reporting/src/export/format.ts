import type { Readable } from 'node:stream';
import { QueryError } from '../query-error';
import { csvStream } from './csv';
import { exportTables, type ExportableReport, type ReportResult } from './tables';
import { xlsxStream } from './xlsx';

export type ExportFormat = 'json' | 'csv' | 'xlsx';

export const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

/**
 * The format a request asks for: an explicit `format=` wins; otherwise an Accept header that
 * names CSV or XLSX (and not JSON first) selects it; anything else is JSON.
 */
export function negotiateFormat(format: string | undefined, accept: string | undefined): ExportFormat {
  if (format !== undefined && format !== '') {
    if (format === 'json' || format === 'csv' || format === 'xlsx') return format;
    throw new QueryError('INVALID_QUERY', 'format', `'${format}' is not one of json, csv, xlsx`);
  }
  if (accept === undefined) return 'json';
  for (const part of accept.split(',')) {
    const type = part.split(';')[0]?.trim().toLowerCase();
    if (type === 'application/json') return 'json';
    if (type === 'text/csv') return 'csv';
    if (type === CONTENT_TYPES.xlsx) return 'xlsx';
  }
  return 'json';
}

export interface ExportFile {
  readonly contentType: string;
  readonly fileName: string;
  readonly stream: Readable;
}

/**
 * A report's JSON result as a CSV or XLSX file, streamed; a trace's file holds every page from its
 * first on (exportTables).
 */
export async function exportFile<R extends ExportableReport>(
  report: R,
  result: ReportResult<R>,
  format: 'csv' | 'xlsx',
): Promise<ExportFile> {
  const tables = await exportTables(report, result);
  return {
    contentType: CONTENT_TYPES[format],
    fileName: `${tables.fileName}.${format}`,
    stream: format === 'csv' ? csvStream(tables) : xlsxStream(tables),
  };
}
