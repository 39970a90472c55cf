import fc from 'fast-check';
import { decideBatch, emptyState, parseEvent, streamIdOf, yearsToComplete, type LedgerEvent } from '@ledger/domain';
import { historyArbitrary } from './histories';
import { propertySettings } from './property-settings';
import { fen, LedgerModel, type RawEvent } from './reference-model';

function parsed(raw: RawEvent): LedgerEvent {
  const result = parseEvent(raw);
  if (!result.ok) throw new Error(`the generator made an invalid event: ${result.error.message}`);
  return result.event;
}

// decideBatch against the reference model, without a database: for any history and any cut of it
// into batches, each event's outcome is the model's, and the lines end with the model's totals.
describe('decideBatch against the reference model (property)', () => {
  it('answers every event as the model does, whatever the batches', () => {
    const settings = propertySettings('decideBatch model', 1_000);
    fc.assert(
      fc.property(historyArbitrary({ maxEvents: 60 }), (history) => {
        const model = new LedgerModel(history.today);
        const state = emptyState();
        const stored = new Map<string, string>();
        let offset = 0;
        history.batches.forEach((size, batch) => {
          const raws = history.events.slice(offset, offset + size);
          offset += size;
          const hashes = raws.map((raw) => JSON.stringify(raw));
          const inStore = new Map(
            raws.flatMap((raw) => (stored.has(raw.eventId) ? [[raw.eventId, stored.get(raw.eventId) as string] as const] : [])),
          );
          const events = raws.map(parsed);
          // The state evolves every event from the start: every department-year's lines are all in it.
          for (const place of events.flatMap(yearsToComplete)) state.completeYears.add(streamIdOf(place.department, place.fiscalYear));
          const decision = decideBatch(state, events, hashes, inStore, { paymentPolicy: 'reject', today: history.today });
          decision.outcomes.forEach((outcome, i) => {
            const raw = raws[i] as RawEvent;
            const expected = model.apply(raw, batch);
            const where = `event ${raw.eventId} (${raw.type}) in batch ${batch}`;
            if (expected.status === 'rejected') {
              if (outcome.status !== 'rejected') {
                throw new Error(`${where}: ${outcome.status}, the model refuses it (${[...expected.codes].join(', ')})`);
              }
              if (!expected.codes.has(outcome.error.code)) {
                throw new Error(`${where}: refused as ${outcome.error.code}, the model: ${[...expected.codes].join(', ')}`);
              }
            } else if (outcome.status !== expected.status) {
              throw new Error(
                `${where}: ${outcome.status === 'rejected' ? `refused (${outcome.error.message})` : outcome.status}, the model: ${expected.status}`,
              );
            }
            if (outcome.status === 'appended') stored.set(raw.eventId, hashes[i] as string);
          });
        });
        // The lines' totals over every event known equal the model's view at the end of time.
        for (const line of state.lines.values()) {
          const view = model.view(line.department, `${line.fiscalYear}-12-31`, history.batches.length);
          const row = view.rows.find((r) => r.key.line === line.lineId);
          // A line opened after the last day of its year is never in a view; its totals are not compared.
          if (row === undefined) continue;
          const adjusted = line.initialFen + line.adjustmentsFen + line.transfersInFen - line.transfersOutFen + line.broughtForwardFen;
          expect([adjusted, line.executedFen]).toEqual([fen(row.adjusted), fen(row.executed)]);
        }
      }),
      settings,
    );
  });
});
