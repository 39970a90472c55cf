import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { queryView } from '@ledger/reporting';
import { rawInit as init, rawOpen as open, rawPay as pay } from '../testing/raw-events';
import { testLedger } from '../testing/test-ledger';

describeEachEngine('the lines a writer keeps between batches', (get) => {
  it('are read again once another writer has stored in their stream, so that no rule runs on stale totals', async () => {
    const first = testLedger(get().db);
    const second = testLedger(get().db); // another process: its own writer, its own cache
    const setup = await first.append([open('K', '丁'), open('K2', '丁'), init('K', '100.00'), init('K2', '100.00')]);
    expect(setup.rejected).toEqual([]);
    // The first writer now holds K and K2 as it left them; the second spends 70.00 of K.
    expect((await second.append([pay('k1', 'K', '70.00')])).appended).toBe(1);
    // Had the first writer kept its K (100.00 available), it would accept 50.00.
    const refused = await first.append([pay('k2', 'K', '50.00')]);
    expect(refused.rejected.map((r) => [r.eventId, r.code])).toEqual([['k2', 'LINE_OVERDRAWN']]);
    // The same once the stream moved through a line the first writer did not touch this time.
    expect((await second.append([pay('k3', 'K2', '90.00')])).appended).toBe(1);
    expect((await first.append([pay('k4', 'K', '30.00'), pay('k5', 'K2', '20.00')])).rejected.map((r) => r.eventId)).toEqual(['k5']);
    // And its own writes it keeps: K is now spent in full, by both writers.
    expect((await first.append([pay('k6', 'K', '0.01')])).rejected.map((r) => r.code)).toEqual(['LINE_OVERDRAWN']);
    const view = await queryView(get().db, { department: '丁', asOf: '2021-12-31' });
    expect([view.total.executed, view.total.available]).toEqual(['190.00', '10.00']);
  });

  it('are not kept from a batch that rolled back', async () => {
    const ledger = testLedger(get().db);
    await ledger.append([open('R', '戊'), init('R', '100.00')]);
    // A trigger makes the next movement row fail: the batch rolls back after it decided (and evolved) R.
    await get().db.exec(`
      CREATE FUNCTION refuse_movement() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$;
      CREATE TRIGGER refuse_movement BEFORE INSERT ON ledger_movements FOR EACH ROW EXECUTE FUNCTION refuse_movement();`);
    try {
      await expect(ledger.append([pay('r1', 'R', '80.00')])).rejects.toThrow();
    } finally {
      await get().db.exec('DROP TRIGGER refuse_movement ON ledger_movements; DROP FUNCTION refuse_movement();');
    }
    // R still has 100.00: a cache that kept the rolled-back 80.00 would refuse this.
    const summary = await ledger.append([pay('r2', 'R', '90.00')]);
    expect([summary.appended, summary.rejected]).toEqual([1, []]);
  });
});
