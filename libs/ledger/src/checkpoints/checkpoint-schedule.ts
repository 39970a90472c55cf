import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type { SignedCheckpoint } from '@ledger/event-store';
import type { Checkpoints } from './checkpoints';

const logger = new Logger('checkpoints');

/**
 * Checkpoints on a schedule (`LEDGER_CHECKPOINT_EVERY`), made by the process that serves or
 * consumes: every interval, the log is signed if anything but checkpoints was appended since the
 * last one (a checkpoint is itself an event, so "the head moved" alone would sign for ever). A
 * tick that finds the previous one still walking the log is skipped; a failed one is logged and
 * the next tick tries again. Two processes on one server may both tick: a checkpoint's eventId is
 * its position and key, so the second finds the first and stores nothing.
 */
export class CheckpointSchedule implements OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SignedCheckpoint | undefined> | undefined;

  constructor(
    private readonly checkpoints: Checkpoints,
    /** Undefined: no schedule (LEDGER_CHECKPOINT_EVERY unset). */
    readonly everyMs: number | undefined,
  ) {}

  /** Called by the long-running commands (serve, consume); one-off commands never sign on a schedule. */
  start(): void {
    if (this.everyMs === undefined || this.timer !== undefined) return;
    if (!this.checkpoints.hasKey()) {
      throw new Error('LEDGER_CHECKPOINT_EVERY is set but there is no signing key: set LEDGER_SIGNING_KEY_FILE (or LEDGER_SIGNING_KEY)');
    }
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref();
    logger.log(`signing the log every ${formatDuration(this.everyMs)} when it has moved`);
  }

  /** One tick: the checkpoint made, or undefined when nothing new was appended (or a tick is running). */
  async tick(): Promise<SignedCheckpoint | undefined> {
    if (this.running !== undefined) return undefined;
    this.running = this.checkpoints
      .createIfLogMoved()
      .catch((error: unknown) => {
        logger.error(`scheduled checkpoint failed: ${(error as Error).message}`);
        return undefined;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Before the database closes (Nest destroys modules before it shuts the application down). */
  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Stops the timer and waits for a tick in progress. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `15m`, `1h`, `1d` (at least one second, at most 30 days); undefined when unset or empty. */
export function parseCheckpointEvery(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const match = /^(\d{1,6})([smhd])$/.exec(text.trim());
  const ms = match === null ? NaN : Number(match[1]) * (UNITS[match[2] as string] as number);
  if (!(ms >= 1000 && ms <= 30 * UNITS.d!)) {
    throw new Error(`LEDGER_CHECKPOINT_EVERY must be a duration such as 30s, 15m, 1h or 1d (from 1s to 30d), not '${text}'`);
  }
  return ms;
}

function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm'] as const) if (ms % (UNITS[unit] as number) === 0) return `${ms / (UNITS[unit] as number)}${unit}`;
  return `${ms / 1000}s`;
}
