import { describeFailure, type FailureBody } from '@ledger/ledger';

/** What the CLI reports when a command could not run. */
export class CliFailure extends Error {
  constructor(readonly body: FailureBody | { code: string; message: string }) {
    super(body.message);
  }

  static from(error: unknown): CliFailure {
    if (error instanceof CliFailure) return error;
    const body = describeFailure(error);
    // Unknown errors keep their own message on the command line: the operator needs it.
    return new CliFailure(body.code === 'INTERNAL' ? { code: 'INTERNAL', message: (error as Error)?.message ?? String(error) } : body);
  }
}

/** A usage mistake: the command line asks for something the command cannot do. */
export const usage = (message: string) => new CliFailure({ code: 'USAGE', message });
