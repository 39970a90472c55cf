import { csvCell, csvText } from './csv';
import { negotiateFormat } from './format';
import { exportTables, flatten, headerOf, kindOf } from './tables';

describe('export format negotiation', () => {
  it('takes format= first, then the first of JSON, CSV or XLSX that Accept names', () => {
    expect(negotiateFormat('csv', 'application/json')).toBe('csv');
    expect(negotiateFormat(undefined, 'text/csv;q=0.9, */*')).toBe('csv');
    expect(negotiateFormat(undefined, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')).toBe('xlsx');
    expect(negotiateFormat(undefined, 'application/json, text/csv')).toBe('json');
    expect(negotiateFormat(undefined, '*/*')).toBe('json');
    expect(negotiateFormat(undefined, undefined)).toBe('json');
    expect(() => negotiateFormat('pdf', undefined)).toThrow("format: 'pdf' is not one of json, csv, xlsx");
  });
});

describe('CSV cells and tables', () => {
  it('quotes what needs quoting and leaves figures exactly as in the JSON', () => {
    expect([csvCell('45769713.94'), csvCell(null), csvCell(false), csvCell('a,b'), csvCell('say "hi"'), csvCell('x\ny')]).toEqual([
      '45769713.94',
      '',
      'false',
      '"a,b"',
      '"say ""hi"""',
      '"x\ny"',
    ]);
  });

  it('flattens nested fields with dotted names and types them by their leaf', () => {
    expect(flatten({ key: { unit: 'U1' }, reported: { progress: '0.3269' }, tags: ['a'] })).toEqual({
      'key.unit': 'U1',
      'reported.progress': '0.3269',
      tags: '["a"]',
    });
    expect([
      kindOf('delta.executed'),
      kindOf('reported.progress'),
      kindOf('quarterScore'),
      kindOf('key.project'),
      kindOf('closed'),
    ]).toEqual(['amount', 'ratio', 'score', 'text', 'boolean']);
    expect([headerOf('reported.progress'), headerOf('running.executed'), headerOf('metadata.documentNo'), headerOf('metadata.x')]).toEqual([
      '支出进度（报送时）',
      '执行数累计',
      '文号',
      '元数据.x',
    ]);
  });

  it('writes a BOM, the JSON field names, the rows and the closing 合计 of a grouped view, unlike the group without a value', async () => {
    const figures = {
      initial: '1.00',
      adjustments: '0.00',
      transfersIn: '0.00',
      transfersOut: '0.00',
      adjusted: '1.00',
      executed: '0.50',
      committed: '0.25',
      broughtForward: '0.00',
      carriedForward: '0.00',
      available: '0.25',
      executionRate: '0.5000',
    };
    const csv = await csvText(
      await exportTables('view', {
        department: 'D',
        fiscalYear: 2021,
        asOf: '2021-12-31',
        knownAt: '2022-01-01T00:00:00.000Z',
        groupBy: ['unit'],
        rows: [{ key: { unit: null }, ...figures }],
        total: figures,
      }),
    );
    expect(csv).toBe(
      '\uFEFFkey.unit,initial,adjustments,transfersIn,transfersOut,adjusted,executed,committed,broughtForward,carriedForward,available,executionRate\r\n' +
        ',1.00,0.00,0.00,0.00,1.00,0.50,0.25,0.00,0.00,0.25,0.5000\r\n' +
        '合计,1.00,0.00,0.00,0.00,1.00,0.50,0.25,0.00,0.00,0.25,0.5000\r\n',
    );
  });
});
