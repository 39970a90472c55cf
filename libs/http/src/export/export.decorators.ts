import { applyDecorators } from '@nestjs/common';
import { ApiProduces } from '@nestjs/swagger';
import { CONTENT_TYPES } from '@ledger/reporting';

export { Exportable } from './export.interceptor';

/** OpenAPI: the report also comes as CSV or XLSX (the `format` parameter is in the route's query schema). */
export const ApiExport = () => applyDecorators(ApiProduces('application/json', 'text/csv', CONTENT_TYPES.xlsx));
