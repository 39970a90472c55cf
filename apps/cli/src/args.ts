import { parseArgs } from 'node:util';

/** Options of DESIGN.md §6, shared by every command. */
export const CLI_OPTIONS = {
  // Repeatable for `keys create`; the other commands take the last one given.
  department: { type: 'string', multiple: true },
  role: { type: 'string' },
  name: { type: 'string' },
  year: { type: 'string' },
  'as-of': { type: 'string' },
  'known-at': { type: 'string' },
  'group-by': { type: 'string' },
  line: { type: 'string' },
  period: { type: 'string' },
  unit: { type: 'string' },
  port: { type: 'string' },
  'batch-size': { type: 'string' },
  by: { type: 'string' },
  margin: { type: 'string' },
  limit: { type: 'string' },
  after: { type: 'string' },
  checkpoint: { type: 'string' },
  event: { type: 'string' },
  'public-key': { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  // demo: the year-end walk-through (seed 004) instead of seed 002.
  'year-end': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface CliArgs {
  readonly command: string | undefined;
  readonly positionals: string[];
  readonly department?: string;
  /** Every --department given (keys create). */
  readonly departments?: string[];
  readonly role?: string;
  readonly name?: string;
  readonly year?: string;
  readonly asOf?: string;
  readonly knownAt?: string;
  readonly groupBy?: string;
  readonly line?: string;
  readonly period?: string;
  readonly unit?: string;
  readonly port?: string;
  readonly batchSize?: string;
  readonly by?: string;
  readonly margin?: string;
  readonly limit?: string;
  readonly after?: string;
  readonly checkpoint?: string;
  readonly event?: string;
  readonly publicKey?: string;
  readonly format?: string;
  readonly out?: string;
  readonly json: boolean;
  /** demo --year-end. */
  readonly yearEnd: boolean;
  readonly help: boolean;
}

export function parseCli(argv: string[]): CliArgs {
  const { values, positionals } = parseArgs({ args: argv, options: CLI_OPTIONS, allowPositionals: true, strict: true });
  const [command, ...rest] = positionals;
  return {
    command,
    positionals: rest,
    department: values.department?.[values.department.length - 1],
    departments: values.department,
    role: values.role,
    name: values.name,
    year: values.year,
    asOf: values['as-of'],
    knownAt: values['known-at'],
    groupBy: values['group-by'],
    line: values.line,
    period: values.period,
    unit: values.unit,
    port: values.port,
    batchSize: values['batch-size'],
    by: values.by,
    margin: values.margin,
    limit: values.limit,
    after: values.after,
    checkpoint: values.checkpoint,
    event: values.event,
    publicKey: values['public-key'],
    format: values.format,
    out: values.out,
    json: values.json ?? false,
    yearEnd: values['year-end'] ?? false,
    help: values.help ?? false,
  };
}

export const USAGE = `Budget execution ledger (预算执行账本)

Usage: npm run --silent ledger -- <command> [options]

Commands:
  append <file|->     store events from an NDJSON file (or stdin); prints {appended, duplicates, rejected}
  view                the department's execution table          --department [--as-of] [--known-at] [--group-by] [--year] [--unit wan]
  progress            quarterly 支出进度 against 序时进度         --department --year [--known-at]
  ratios              adjustment and transfer ratios, checks     --department --year [--as-of] [--known-at]
  trace               every event behind a line's figures        --line [--as-of] [--known-at] [--limit] [--after]
  scorecard           评分表 items and project self-evaluation     --department --year [--known-at]
  warnings            lines lagging 序时进度 (前快后慢)             --department [--as-of] [--by line|project] [--margin 0.10]
  year-end            年终结转: carried (结转下年) or lapsed (结余)  --department --year [--known-at]
  close-period        close a quarter (季度结账)                    --department --year --period Q1..Q4
  verify              recompute the hash chain, and every projection from the log   [--checkpoint <file|->]
  checkpoint          sign the log up to its head (needs LEDGER_SIGNING_KEY_FILE); stored as an event
  prove               inclusion proof of one event in a checkpoint  --event <eventId> --checkpoint <file>
  db setup-roles      grant the app role (DATABASE_URL's user) its least rights; run with MIGRATION_DATABASE_URL
  rebuild             rebuild every projection from the log
  serve               HTTP API on PORT (default 3000), OpenAPI at /docs; needs API keys or OpenID Connect (see README)
  keys                API keys for serve: keys create --role R [--department D]… [--name text] | keys list | keys revoke <keyId>
  consume             Kafka: treasury payments in, ledger events and alerts out (needs KAFKA_BROKERS)
  publish             Kafka: ledger events and alerts out only
  demo                load seed 002's department-year and print its tables; --year-end: seed 004's plans,
                      commitments and year end (结转/结余, the next year's 上年结转 lines)

Options:
  --json              print exactly one JSON document on stdout
  --format csv|xlsx   view, progress, ratios, scorecard, trace and year-end as CSV (UTF-8, BOM) or XLSX  [--out file]
  --group-by LIST     unit, project, functionCode[:3|5|7], economicCode[:3|5], fundingSource, kind, tag, line

Storage: DATABASE_URL selects a PostgreSQL server; without it the embedded PGlite keeps its data in
LEDGER_DATA_DIR (default ./.ledger-data), which one process owns at a time: while serve or consume
runs, other commands work through it; otherwise they wait up to LEDGER_OWNER_WAIT_MS (default 30000).`;
