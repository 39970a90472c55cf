/**
 * What the report handlers are given, as injection tokens: the composition that registers them
 * (LedgerModule) binds them to its database and its configured rules. Reporting reads; it never
 * depends on the write side.
 */
/** The database the reports read (a Database of @ledger/event-store). */
export const REPORTS_DATABASE = Symbol('REPORTS_DATABASE');
/** The rules in force (LedgerRules): checkpoints, 序时进度 and scoring. */
export const REPORTS_RULES = Symbol('REPORTS_RULES');
