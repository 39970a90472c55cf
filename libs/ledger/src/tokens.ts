/** Injection tokens for what is not a class. */
export const DATABASE = Symbol('DATABASE');
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');
