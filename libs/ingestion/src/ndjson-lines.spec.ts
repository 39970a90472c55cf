import { ndjsonLines } from './ndjson-lines';

async function collect(chunks: (string | Buffer)[], maxLineBytes?: number) {
  async function* source() {
    for (const chunk of chunks) yield chunk;
  }
  const out = [];
  for await (const line of ndjsonLines(source(), maxLineBytes)) out.push(line);
  return out;
}

describe('ndjsonLines', () => {
  it('numbers lines across chunk boundaries and accepts CRLF and a last line without newline', async () => {
    expect(await collect(['{"a":1}\r\n{"b"', ':2}\n\n{"c":3}'])).toEqual([
      { lineNo: 1, text: '{"a":1}' },
      { lineNo: 2, text: '{"b":2}' },
      { lineNo: 3, text: '' },
      { lineNo: 4, text: '{"c":3}' },
    ]);
  });

  it('decodes a multi-byte character split between two chunks', async () => {
    const bytes = Buffer.from('{"d":"市贸促委"}\n', 'utf8');
    const lines = await collect([bytes.subarray(0, 8), bytes.subarray(8)]);
    expect(lines).toEqual([{ lineNo: 1, text: '{"d":"市贸促委"}' }]);
  });

  it('marks a line over the limit without keeping it, and goes on with the next line', async () => {
    const lines = await collect(['x'.repeat(10), 'y'.repeat(10) + '\nshort\n'], 15);
    expect(lines).toEqual([
      { lineNo: 1, text: undefined },
      { lineNo: 2, text: 'short' },
    ]);
  });
});
