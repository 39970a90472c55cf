/**
 * Figures arrive as decimal strings (yuan with two decimals, ratios with four) and are shown
 * without ever becoming floats: amounts are integer 分 in a BigInt, ratios are shifted as text.
 */
export type Unit = 'yuan' | 'wan';

export function fenOf(yuan: string): bigint {
  const negative = yuan.startsWith('-');
  const [whole = '0', frac = ''] = (negative ? yuan.slice(1) : yuan).split('.');
  const fen = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
  return negative ? -fen : fen;
}

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * 元 exactly; 万元 rounded half-up to two decimals on its own, as published tables are (so that
 * a column may not add up to its total: the 尾差 the footnote names).
 */
export function money(yuan: string | null | undefined, unit: Unit): string {
  if (yuan === null || yuan === undefined) return '-';
  let fen = fenOf(yuan);
  if (unit === 'wan') {
    // 1 万元 = 1,000,000 分; two decimals of 万元 = units of 10,000 分.
    const negative = fen < 0n;
    const abs = negative ? -fen : fen;
    const rounded = (abs + 5000n) / 10000n;
    fen = negative ? -rounded : rounded;
  }
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const text = `${group((abs / 100n).toString())}.${(abs % 100n).toString().padStart(2, '0')}`;
  return negative && abs !== 0n ? `-${text}` : text;
}

/** "0.9029" → "90.29%", "1.3118" → "131.18%", "0.25" → "25.00%"; null → "-". */
export function pct(ratio: string | null | undefined): string {
  if (ratio === null || ratio === undefined) return '-';
  const negative = ratio.startsWith('-');
  const [whole = '0', frac = ''] = (negative ? ratio.slice(1) : ratio).split('.');
  const f = (frac + '0000').slice(0, 4);
  const percent = BigInt(whole) * 100n + BigInt(f.slice(0, 2));
  const rest = f.slice(2, 4);
  return `${negative ? '-' : ''}${percent.toString()}.${rest}%`;
}

/** Sums decimal yuan strings exactly (subtotal checks in the table footnotes). */
export function sumYuan(values: string[]): string {
  const fen = values.reduce((s, v) => s + fenOf(v), 0n);
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  return `${negative ? '-' : ''}${(abs / 100n).toString()}.${(abs % 100n).toString().padStart(2, '0')}`;
}

export function dateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** num ÷ den of two yuan strings as a ratio with four decimals, half-up (the API's rounding); null when den ≤ 0. */
export function ratioOf(num: string, den: string): string | null {
  const d = fenOf(den);
  if (d <= 0n) return null;
  const n = fenOf(num);
  const scaled = (2n * (n < 0n ? -n : n) * 10000n + d) / (2n * d);
  const text = `${scaled / 10000n}.${(scaled % 10000n).toString().padStart(4, '0')}`;
  return n < 0n ? `-${text}` : text;
}

/** True for "0", "0.00", "-0.00": a figure not worth a tile of its own. */
export const isZero = (yuan: string | null | undefined): boolean => yuan === null || yuan === undefined || fenOf(yuan) === 0n;
