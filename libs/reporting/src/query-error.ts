/** A query parameter the ledger cannot answer for; the message names the parameter. */
export class QueryError extends Error {
  constructor(
    readonly code: 'INVALID_QUERY' | 'LINE_NOT_FOUND' | 'DEPARTMENT_NOT_FOUND' | 'NOT_FOUND',
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'QueryError';
  }
}
