/** Injection tokens for what is not a class. */
export const DATABASE = Symbol('DATABASE');
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');
/** The ledger's clock (a Clock: () => Date); tests override the provider to fix "now". */
export const CLOCK = Symbol('CLOCK');
