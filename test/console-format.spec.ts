import { money, pct, sumYuan } from '../apps/console/src/format';

describe('console figures (no floats: 分 in a BigInt, ratios shifted as text)', () => {
  it('shows 元 exactly and 万元 rounded half-up on its own', () => {
    expect(money('45769713.94', 'yuan')).toBe('45,769,713.94');
    expect(money('45769713.94', 'wan')).toBe('4,576.97');
    expect(money('50694650.12', 'wan')).toBe('5,069.47');
    expect(money('4999.99', 'wan')).toBe('0.50');
    expect(money('4949.99', 'wan')).toBe('0.49');
    expect(money('-5600.00', 'wan')).toBe('-0.56');
    expect(money('-0.40', 'wan')).toBe('0.00');
    expect(money(null, 'yuan')).toBe('-');
  });

  it('shows ratios as percentages with two decimals', () => {
    expect([pct('0.9029'), pct('0.1792'), pct('0.0375'), pct('1.3118'), pct('0.25'), pct('0.10'), pct('-0.1545'), pct(null)]).toEqual([
      '90.29%',
      '17.92%',
      '3.75%',
      '131.18%',
      '25.00%',
      '10.00%',
      '-15.45%',
      '-',
    ]);
  });

  it('adds 元 exactly where 万元 rounded one by one leaves a 尾差', () => {
    const rows = ['12345.67', '23456.78', '34567.89'];
    expect(sumYuan(rows)).toBe('70370.34');
    // 1.23 + 2.35 + 3.46 = 7.04 万元 shown, against the total's own 7.04: here equal; a 尾差 needs a half.
    expect(money(sumYuan(['5000.00', '5000.00']), 'wan')).toBe('1.00');
    expect(['5000.00', '5000.00'].map((v) => money(v, 'wan'))).toEqual(['0.50', '0.50']);
    expect(money(sumYuan(['4500.00', '4500.00', '4500.00']), 'wan')).toBe('1.35');
    expect(['4500.00', '4500.00', '4500.00'].map((v) => money(v, 'wan'))).toEqual(['0.45', '0.45', '0.45']);
    expect(money(sumYuan(['4550.00', '4550.00']), 'wan')).toBe('0.91');
    expect(['4550.00', '4550.00'].map((v) => money(v, 'wan'))).toEqual(['0.46', '0.46']); // 0.92 ≠ 0.91: the 尾差
  });
});
