import { Query } from '@nestjs/cqrs';
import type { VerifyReport } from '@ledger/event-store';

/** Recompute the tamper-evidence hash chain of the whole log. */
export class VerifyLedgerQuery extends Query<VerifyReport> {}
