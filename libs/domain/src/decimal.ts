import Decimal from 'decimal.js';
import { formatYuan, type Fen } from './money';

/**
 * Exact decimals for the figures of DESIGN.md §4: every published figure is rounded once,
 * half-up: ratios to 4 decimals, scores to 2, amounts to 分.
 */

/** 64 significant digits: amounts reach 10^20 分, so quotients keep far more than the 4 places we publish. */
export const Dec = Decimal.clone({ precision: 64, rounding: Decimal.ROUND_HALF_UP });
export type Dec = Decimal;

export const RATIO_DECIMALS = 4;
export const SCORE_DECIMALS = 2;

export function dec(value: Fen | string | number): Dec {
  return new Dec(typeof value === 'bigint' ? value.toString() : value);
}

/** Rounds half-up (away from zero on a tie) and prints with exactly `places` decimals, never '-0'. */
export function fixed(value: Dec, places: number): string {
  const rounded = value.toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
  return (rounded.isZero() ? new Dec(0) : rounded).toFixed(places);
}

export function min(a: Dec, b: Dec): Dec {
  return a.lt(b) ? a : b;
}

export function max(a: Dec, b: Dec): Dec {
  return a.gt(b) ? a : b;
}

/** num ÷ den from exact amounts, rounded once to 4 decimals ("0.9029"); null when den = 0. */
export function ratio(numFen: Fen, denFen: Fen): string | null {
  if (denFen === 0n) return null;
  return fixed(dec(numFen).div(dec(denFen)), RATIO_DECIMALS);
}

/** A ratio as a percentage with 2 decimals: "0.9029" → "90.29%"; null stays null. */
export function percent(ratio4: string): string;
export function percent(ratio4: string | null): string | null;
export function percent(ratio4: string | null): string | null {
  if (ratio4 === null) return null;
  return `${fixed(dec(ratio4).times(100), 2)}%`;
}

/** 分 held as an exact decimal → 分 rounded half-up → "123.45". */
export function yuanOf(fen: Dec): string {
  return formatYuan(BigInt(fen.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0)));
}
