import { formatWan, parseYuan } from '@ledger/domain';

/** Renders rows as an aligned text table; East Asian wide characters count as two columns. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - displayWidth(cell));
        return /^-?[\d.,]+%?$/.test(cell) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  }
  return width;
}

/** The unit amounts are shown in: 元, or 万元 with `--unit wan`. */
export type Unit = 'yuan' | 'wan';

/** A yuan string for a table: 元 as given, or 万元 with `--unit wan`. */
export function money(yuan: string, unit: Unit): string {
  if (unit === 'yuan') return yuan;
  const fen = parseYuan(yuan);
  return fen === undefined ? yuan : formatWan(fen);
}

/** "0.9029" → "90.29%"; null → "-". */
export function pct(ratio: string | null): string {
  if (ratio === null) return '-';
  const [whole = '0', frac = ''] = ratio.replace('-', '').split('.');
  const digits = (whole + frac.padEnd(4, '0')).replace(/^0+(?=\d{3})/, '');
  const sign = ratio.startsWith('-') ? '-' : '';
  return `${sign}${digits.slice(0, -2) || '0'}.${digits.slice(-2)}%`;
}
