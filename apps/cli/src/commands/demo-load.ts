import type { CommandBus } from '@nestjs/cqrs';
import { cliIdentity } from '@ledger/auth';
import { parseEvent } from '@ledger/domain';
import { AppendEventsCommand } from '@ledger/ledger';

export interface DemoLoaded {
  readonly appended: number;
  readonly duplicates: number;
  readonly rejected: number;
}

/**
 * Posts the demo's events phase by phase through the public append path (the command bus, as
 * `append` and HTTP do); any rejection stops the demo, since its figures would be wrong.
 */
export async function loadPhases(commands: CommandBus, phases: Record<string, unknown>[][]): Promise<DemoLoaded> {
  const summary = { appended: 0, duplicates: 0, rejected: 0 };
  for (const phase of phases) {
    const events = phase.map((raw) => {
      const parsed = parseEvent(raw);
      if (!parsed.ok) throw parsed.error;
      return parsed.event;
    });
    for (const result of await commands.execute(new AppendEventsCommand(events, { recordedBy: cliIdentity() }))) {
      if (result.status === 'appended') summary.appended += 1;
      else if (result.status === 'duplicate') summary.duplicates += 1;
      else throw result.error;
    }
  }
  return summary;
}
