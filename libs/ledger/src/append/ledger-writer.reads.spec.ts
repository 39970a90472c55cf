import type { Database, Transaction } from '@ledger/event-store';
import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { testLedger } from '../testing/test-ledger';
import { commit, init, line, payAgainst } from '../testing/year-end-events';

/** The database, with every statement that the writer's transactions send written down. */
function recording(db: Database): { db: Database; statements: string[] } {
  const statements: string[] = [];
  const wrapped: Database = Object.create(db) as Database;
  wrapped.transaction = <T>(fn: (tx: Transaction) => Promise<T>) =>
    db.transaction((tx) => {
      const spy: Transaction = Object.create(tx) as Transaction;
      spy.query = (text, params, options) => {
        statements.push(text.replace(/\s+/g, ' '));
        return tx.query(text, params, options);
      };
      spy.copyFrom = (table, columns, chunks, then) => {
        statements.push(`COPY ${table}`);
        return tx.copyFrom(table, columns, chunks, then);
      };
      return fn(spy);
    });
  return { db: wrapped, statements };
}

describeEachEngine('what a batch reads under its locks', (get) => {
  it('reads nothing of decision 0014 for ordinary payments but the closed years, in the statement of the closed quarters', async () => {
    const { db, statements } = recording(get().db);
    const ledger = testLedger(db);
    await ledger.append([line('R1', 'DR', 2021, 'basic'), init('R1', '100.00'), line('R2', 'DR', 2021, 'project'), init('R2', '100.00')]);
    statements.length = 0;
    expect((await ledger.append([payAgainst('r-1', 'R1', '1.00'), payAgainst('r-2', 'R2', '2.00')])).appended).toBe(2);
    const decision0014 =
      /ledger_commitments|ledger_spending_plans|ledger_year_ends|unnest\(\$1::text::text\[\], \$2::text::integer\[\]\)\) AS s/;
    expect(statements.filter((s) => decision0014.test(s))).toEqual([
      expect.stringMatching(/^SELECT department, fiscal_year, count\(\*\) AS closed/),
    ]);
    // A payment against a commitment reads the commitment, and nothing else more.
    await ledger.append([commit('r-c', 'R2', '10.00')]);
    statements.length = 0;
    expect((await ledger.append([payAgainst('r-3', 'R2', '3.00', 'r-c')])).appended).toBe(1);
    expect(statements.filter((s) => /FROM ledger_commitments WHERE event_id IN/.test(s))).toHaveLength(2); // the commitment, its line
    expect(statements.filter((s) => /ledger_spending_plans|ledger_year_ends \(/.test(s))).toEqual([]);
  });
});
