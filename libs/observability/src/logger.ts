import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** `LOG_LEVEL`: pino's levels (fatal, error, warn, info, debug, trace, silent); default info. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Structured JSON logs for the ingestion and publishing paths. They go to stderr, never stdout:
 * the CLI's `--json` output on stdout must stay exactly one JSON document. Writes are synchronous
 * so that the lines about a batch are out before a crash that follows it.
 */
export function createLogger(name: string, options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not '${level}'`);
  }
  return pino(
    {
      name,
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names rather than numbers: log pipelines and people read them without a table.
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that writes nothing (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
