/**
 * Money is integer 分 (fen) in a bigint everywhere in code, a decimal string of yuan with two
 * decimals in JSON ("16121600.00"), and bigint 分 in PostgreSQL. Never a binary float.
 */
export type Fen = bigint;

/** The largest single amount we accept: 9,999,999,999,999.99 元 (keeps every sum far from bigint's limit). */
export const MAX_AMOUNT_FEN: Fen = 999_999_999_999_999n;

const YUAN_STRING = /^(-)?(0|[1-9]\d{0,12})(?:\.(\d{1,2}))?$/;

/**
 * Parses yuan given as a decimal string ("1234.5", "-7.25") into 分. Returns undefined for
 * anything else: more than two decimals, exponents, spaces, leading zeros, "+", empty.
 */
export function parseYuan(text: string): Fen | undefined {
  const match = YUAN_STRING.exec(text);
  if (match === null) return undefined;
  const [, minus, whole, fraction = ''] = match;
  const fen = BigInt(whole as string) * 100n + BigInt(fraction.padEnd(2, '0'));
  return minus === '-' ? -fen : fen;
}

/**
 * Parses a JSON number of yuan into 分, accepted only when its shortest decimal form has at most
 * two decimals (0.1 → 10, 12.345 → undefined). `String(n)` is the shortest round-trip form, so a
 * number the sender wrote as 12.34 is read back exactly as "12.34".
 */
export function parseYuanNumber(value: number): Fen | undefined {
  if (!Number.isFinite(value)) return undefined;
  const text = String(value);
  if (/e/i.test(text)) return undefined;
  return parseYuan(text);
}

/** 分 → "1234.50" (yuan, two decimals, '-' for negatives). */
export function formatYuan(fen: Fen): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const whole = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole.toString()}.${cents}`;
}

/** 分 → "1234.57" in 万元 (ten-thousands of yuan), rounded half-up to two decimals, for tables. */
export function formatWan(fen: Fen): string {
  // 1 万元 = 1,000,000 分; two decimals of 万元 = units of 10,000 分.
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const units = (abs + 5_000n) / 10_000n;
  const text = formatYuan(units);
  return negative && units !== 0n ? `-${text}` : text;
}
