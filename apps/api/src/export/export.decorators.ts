import { applyDecorators } from '@nestjs/common';
import { ApiProduces, ApiQuery } from '@nestjs/swagger';
import { CONTENT_TYPES } from '@ledger/reporting';

export { Exportable } from './export.interceptor';

/** OpenAPI: the report also comes as CSV or XLSX. */
export const ApiExport = () =>
  applyDecorators(
    ApiQuery({
      name: 'format',
      required: false,
      enum: ['json', 'csv', 'xlsx'],
      description: 'json (default), csv (UTF-8 with BOM, JSON field names) or xlsx (Chinese headers); or send the matching Accept header',
    }),
    ApiProduces('application/json', 'text/csv', CONTENT_TYPES.xlsx),
  );
