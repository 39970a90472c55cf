import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { PgEventStore, type VerifyReport } from '@ledger/event-store';
import { VerifyLedgerQuery } from './verify-ledger.query';

@QueryHandler(VerifyLedgerQuery)
export class VerifyLedgerHandler implements IQueryHandler<VerifyLedgerQuery, VerifyReport> {
  constructor(private readonly store: PgEventStore) {}

  execute(): Promise<VerifyReport> {
    return this.store.verify();
  }
}
