import { Injectable, SetMetadata, StreamableFile, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { mergeMap, type Observable } from 'rxjs';
import { exportFile, negotiateFormat, type ExportableReport, type ReportResult } from '@ledger/reporting';

const EXPORT_REPORT = 'ledger:export-report';

/** Marks a report endpoint whose JSON result may also leave as CSV or XLSX (DESIGN.md §9). */
export const Exportable = (report: ExportableReport) => SetMetadata(EXPORT_REPORT, report);

/**
 * `format=csv|xlsx` (or an Accept header naming them) turns a report's JSON result into a file,
 * streamed. The export is built from the result, never from SQL of its own, so CSV, XLSX and JSON
 * cannot disagree.
 */
@Injectable()
export class ExportInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const report = this.reflector.get<ExportableReport | undefined>(EXPORT_REPORT, context.getHandler());
    if (report === undefined) return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const formatParam = typeof req.query.format === 'string' ? req.query.format : undefined;
    // Negotiated before the query runs, so that a bad format= is a 400 that costs nothing.
    const format = negotiateFormat(formatParam, req.headers.accept);
    // Caches must key the answer on Accept: the same URL is JSON, CSV or XLSX.
    context.switchToHttp().getResponse<Response>().vary('Accept');
    return next.handle().pipe(
      mergeMap(async (result: unknown) => {
        if (format === 'json') return result;
        const file = await exportFile(report, result as ReportResult<typeof report>, format);
        return new StreamableFile(file.stream, {
          type: file.contentType,
          disposition: `attachment; filename="${asciiName(file.fileName)}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
        });
      }),
    );
  }
}

/** The plain filename= of Content-Disposition is ASCII; filename*= carries the Chinese name. */
function asciiName(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, '_');
}
