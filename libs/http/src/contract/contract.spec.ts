import type { z } from 'zod';
import { EVENT_TYPES, parseEvent } from '@ledger/domain';
import type { VerifyReport as StoreVerifyReport } from '@ledger/event-store';
import { seed002Phases, seed004Phases } from '@ledger/ledger';
import type {
  ProgressResult,
  RatiosResult,
  ScorecardResult,
  TraceResult,
  ViewResult,
  WarningsResult,
  YearEndResult,
} from '@ledger/reporting';
import { APPEND_EXAMPLES, SUMMARY_EXAMPLES } from '../events/event-examples';
import { contractComponents } from './openapi';
import * as contract from './schemas';

// What the reporting code returns must fit the schemas that document it: checked by the compiler.
// (A schema that drifts from its result type fails `npm run typecheck`, not a reader of the docs.)
type Fits<Actual, Schema extends z.ZodType> = Actual extends z.input<Schema> ? true : false;
const fits: [
  Fits<ViewResult, typeof contract.ViewResult>,
  Fits<ProgressResult, typeof contract.ProgressResult>,
  Fits<RatiosResult, typeof contract.RatiosResult>,
  Fits<ScorecardResult, typeof contract.ScorecardResult>,
  Fits<WarningsResult, typeof contract.WarningsResult>,
  Fits<TraceResult, typeof contract.TraceResult>,
  Fits<YearEndResult, typeof contract.YearEndResult>,
  Fits<StoreVerifyReport, typeof contract.VerifyReport>,
] = [true, true, true, true, true, true, true, true];

describe('the HTTP contract', () => {
  it('keeps every result type within its schema (compile-time)', () => {
    expect(fits.every(Boolean)).toBe(true);
  });

  // The events' validator is libs/domain's parseEvent (no framework there); the NewEvent schema
  // documents it, and these keep the two in step on real events.
  it('documents events the ledger accepts: every seed event fits NewEvent, and parseEvent takes it', () => {
    const carried = {
      eventId: 'Y:cf:1',
      type: 'BalanceCarriedForward',
      effectiveDate: '2023-12-31',
      data: { fromLineId: 'A', toLineId: 'B', amount: '1.00' },
    };
    // A BalanceCarriedForward is the ledger's own; posted again as a copy of a stored one, it parses like any event.
    const events = [...seed002Phases().flat(), ...seed004Phases().flat(), carried];
    expect(new Set(events.map((e) => (e as { type: string }).type))).toEqual(new Set(EVENT_TYPES));
    for (const event of events) {
      expect([event, contract.NewEvent.safeParse(event).success]).toEqual([event, true]);
      expect(parseEvent(event).ok).toBe(true);
    }
  });

  it('refuses in the schema what parseEvent refuses: unknown fields, bad ids, bad amounts', () => {
    const good = { eventId: 'p-1', type: 'PaymentRecorded', effectiveDate: '2021-03-15', data: { lineId: 'L1', amount: '1.00' } };
    const bad = [
      { ...good, data: { ...good.data, extra: 1 } },
      { ...good, eventId: 'has space' },
      { ...good, data: { lineId: 'L1', amount: '1.001' } },
      { ...good, effectiveDate: '2021-3-15' },
      { ...good, type: 'Bogus' },
    ];
    expect(contract.NewEvent.safeParse(good).success).toBe(true);
    expect(parseEvent(good).ok).toBe(true);
    for (const event of bad) {
      expect([event, contract.NewEvent.safeParse(event).success]).toEqual([event, false]);
      expect([event, parseEvent(event).ok]).toEqual([event, false]);
    }
  });

  it('has examples that fit their schemas: a payment, a transfer and a rejection', () => {
    expect(Object.keys(APPEND_EXAMPLES)).toEqual(['payment', 'transfer', 'rejection']);
    for (const { value } of Object.values(APPEND_EXAMPLES)) {
      expect(contract.NewEvents.safeParse(value).success).toBe(true);
      for (const event of value) expect(parseEvent(event).ok).toBe(true);
    }
    for (const { value } of Object.values(SUMMARY_EXAMPLES)) expect(contract.AppendSummary.safeParse(value).success).toBe(true);
  });

  it('turns every named schema into an OpenAPI component, references between them kept', () => {
    const components = contractComponents();
    expect(Object.keys(components)).toEqual(
      expect.arrayContaining(['Problem', 'NewEvent', 'AppendSummary', 'ViewResult', 'TraceResult', 'AccessLogPage']),
    );
    expect(JSON.stringify(components.EventsPage)).toContain('#/components/schemas/PublishedEvent');
    expect(JSON.stringify(components)).not.toContain('$id');
  });
});
