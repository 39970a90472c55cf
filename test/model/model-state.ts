import Decimal from 'decimal.js';

/**
 * The reference model's data (see reference-model.ts): raw events, outcomes, lines, commitments,
 * plans and the dated movements the figures are summed from, with the money helpers. Nothing of
 * libs/domain is imported.
 */

export interface RawEvent {
  readonly eventId: string;
  readonly type: string;
  readonly effectiveDate: string;
  readonly correction: boolean;
  readonly data: Record<string, unknown>;
  readonly metadata?: Record<string, unknown>;
}

export type ModelOutcome =
  { readonly status: 'appended' | 'duplicate' } | { readonly status: 'rejected'; readonly codes: ReadonlySet<string> };

export const CARRIED_FORWARD_SOURCE = '上年结转';

export interface Line {
  readonly lineId: string;
  readonly department: string;
  readonly fiscalYear: number;
  readonly kind: string;
  /** The BudgetLineOpened data as given (name, unit, project, codes, fundingSource, tags). */
  readonly opened: Readonly<Record<string, unknown>>;
  readonly openedOn: string;
  readonly openedInBatch: number;
  initial: bigint;
  adjustments: bigint;
  transfersIn: bigint;
  transfersOut: bigint;
  executed: bigint;
  committed: bigint;
  broughtForward: bigint;
  carriedForward: bigint;
}

export interface Commitment {
  readonly eventId: string;
  readonly lineId: string;
  readonly amount: bigint;
  readonly effectiveDate: string;
  readonly reference: string | null;
  readonly batch: number;
  released: bigint;
  consumed: bigint;
}

export interface Plan {
  readonly eventId: string;
  readonly lineId: string;
  readonly effectiveDate: string;
  /** Place in the log (input order of the accepted events): the tie-break of plans of one date. */
  readonly order: number;
  readonly batch: number;
  readonly checkpoints: readonly { date: string; share: string }[];
}

/** The figures a movement changes, in 分. */
export interface Figures {
  initial: bigint;
  adjustments: bigint;
  transfersIn: bigint;
  transfersOut: bigint;
  routineOut: bigint;
  executed: bigint;
  committed: bigint;
  broughtForward: bigint;
  carriedForward: bigint;
}

/** One dated change of one line's figures, with the batch that stored it. */
export interface Movement extends Figures {
  readonly lineId: string;
  readonly date: string;
  readonly batch: number;
  /** The commitment whose figures it changes (made, released, consumed), if any. */
  readonly commitmentEventId?: string;
  /** What of that commitment it released or consumed. */
  readonly released?: bigint;
  readonly consumed?: bigint;
}

export const zeroFigures = (): Figures => ({
  initial: 0n,
  adjustments: 0n,
  transfersIn: 0n,
  transfersOut: 0n,
  routineOut: 0n,
  executed: 0n,
  committed: 0n,
  broughtForward: 0n,
  carriedForward: 0n,
});

/** 调整预算数: initial + adjustments + transfersIn − transfersOut + broughtForward (decision 0014). */
export const adjustedOf = (f: Pick<Figures, 'initial' | 'adjustments' | 'transfersIn' | 'transfersOut' | 'broughtForward'>): bigint =>
  f.initial + f.adjustments + f.transfersIn - f.transfersOut + f.broughtForward;

/** 可用余额: adjusted − executed − committed. */
export const availableOf = (f: Figures | Line): bigint => adjustedOf(f) - f.executed - f.committed;

export const leftOf = (c: Commitment): bigint => c.amount - c.released - c.consumed;

export const fen = (amount: unknown): bigint => {
  const text = String(amount);
  const negative = text.startsWith('-');
  const [whole, cents = ''] = (negative ? text.slice(1) : text).split('.');
  const value = BigInt(whole as string) * 100n + BigInt(cents.padEnd(2, '0'));
  return negative ? -value : value;
};

export const yuan = (f: bigint): string => {
  const sign = f < 0n ? '-' : '';
  const a = f < 0n ? -f : f;
  return `${sign}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
};

/** A ratio rounded once, half up, to 4 decimals; null over zero. */
export function ratio4(numerator: bigint, denominator: bigint, scale = '1'): string | null {
  if (denominator === 0n) return null;
  return new Decimal(numerator.toString())
    .div(new Decimal(denominator.toString()).mul(scale))
    .toDecimalPlaces(4, Decimal.ROUND_HALF_UP)
    .toFixed(4);
}

/** A share as stored: 4 decimals ("0.25" → "0.2500", "1" → "1.0000"). */
export const share4 = (share: string): string => new Decimal(share).toFixed(4);
