import * as fs from 'node:fs';
import * as net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import type { SessionGate } from './session-gate';

/** Where a serving owner listens: a Unix socket (preferred), or a loopback TCP port. */
export type OwnerAddress = { readonly socket: string } | { readonly host: '127.0.0.1'; readonly port: number };

/** A message longer than this ends the connection (PostgreSQL's own limit is 1 GiB). */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** A client that holds the session and says nothing for this long is cut off, so it cannot stall the owner. */
const IDLE_HOLD_LIMIT_MS = 60_000;
/** Unix socket paths are limited to 108 bytes on Linux (sun_path); past this a TCP port is used. */
const MAX_SOCKET_PATH = 100;

/** COPY data a client may send in one COPY FROM STDIN (it is held in memory until the end). */
const MAX_COPY_BYTES = 512 * 1024 * 1024;
const COPY_FROM_STDIN = /^\s*(COPY\s+[\s\S]+?\s+FROM\s+)STDIN\s*;?\s*$/i;

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

/**
 * Serves one PGlite to other local processes over the PostgreSQL wire protocol, so that a
 * second `ledger` command works through the owner of a data directory instead of opening its
 * files (DESIGN.md §10, decision 0008).
 *
 * Clients share PGlite's single session in turns: a connection takes the gate with its first
 * message and keeps it until PostgreSQL's ReadyForQuery says the session is idle ('I'), that is
 * after a whole statement outside a transaction, or after a whole transaction. So no two
 * clients' extended-protocol messages (unnamed statements and portals) interleave, and no
 * client's statement runs inside the owner's transaction or another client's.
 */
export class PgliteWireServer {
  private constructor(
    private readonly server: net.Server,
    private readonly connections: Set<WireConnection>,
    readonly address: OwnerAddress,
  ) {}

  /** Listens on `<dataDir>/owner.sock` (a stale one is replaced: the caller owns the directory). */
  static async start(pglite: PGlite, gate: SessionGate, dataDir: string): Promise<PgliteWireServer> {
    const socketPath = `${dataDir}/owner.sock`;
    const connections = new Set<WireConnection>();
    const server = net.createServer((socket) => {
      const connection = new WireConnection(socket, pglite, gate, () => connections.delete(connection));
      connections.add(connection);
    });
    let address: OwnerAddress;
    if (socketPath.length <= MAX_SOCKET_PATH) {
      fs.rmSync(socketPath, { force: true });
      await listen(server, { path: socketPath });
      // Trust authentication: only the directory's user may connect (the socket's mode says so).
      fs.chmodSync(socketPath, 0o600);
      address = { socket: socketPath };
    } else {
      await listen(server, { host: '127.0.0.1', port: 0 });
      address = { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
    }
    return new PgliteWireServer(server, connections, address);
  }

  /** Stops listening and ends every connection (an open transaction of a client is rolled back). */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.end()));
    await closed;
    if ('socket' in this.address) fs.rmSync(this.address.socket, { force: true });
  }
}

function listen(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** One client connection: its messages in order, each run on PGlite while the connection holds the gate. */
class WireConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;
  private working = false;
  private closed = false;
  private release: (() => void) | undefined;
  /** The session's state after this connection's last message: 'I' idle, 'T' in a transaction, 'E' in a failed one. */
  private status: 'I' | 'T' | 'E' | 'busy' = 'I';
  private idleTimer: NodeJS.Timeout | undefined;
  /** A COPY FROM STDIN in progress: its statement (reading from the blob) and the data so far. */
  private copy: { statement: string; data: Buffer[]; bytes: number } | undefined;
  private finished: Promise<void> | undefined;

  constructor(
    private readonly socket: net.Socket,
    private readonly pglite: PGlite,
    private readonly gate: SessionGate,
    private readonly onClosed: () => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => {
      this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
      void this.work();
    });
    socket.on('error', () => void this.end());
    socket.on('close', () => void this.end());
  }

  /** Closes the connection; if it held the session, leaves it idle (rolled back) and hands it on. */
  end(): Promise<void> {
    this.finished ??= this.finish();
    return this.finished;
  }

  private async finish(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.socket.destroy();
    // A message in progress ends first; then the session is put back as it was found.
    while (this.working) await new Promise((resolve) => setImmediate(resolve));
    if (this.release !== undefined) {
      try {
        if (this.status !== 'I') {
          // Sync ends any extended-protocol exchange left half done; then a transaction left open is rolled back.
          const synced = readyStatus(await this.pglite.execProtocolRaw(message('S', Buffer.alloc(0))));
          if (synced !== 'I') await this.pglite.execProtocolRaw(message('Q', Buffer.from('ROLLBACK\0')));
        }
      } finally {
        this.release();
        this.release = undefined;
      }
    }
    this.onClosed();
  }

  private async work(): Promise<void> {
    if (this.working || this.closed) return;
    this.working = true;
    try {
      for (;;) {
        const next = this.nextMessage();
        if (next === undefined) break;
        if (next === 'close') {
          this.working = false;
          await this.end();
          return;
        }
        await this.run(next);
        if (this.closed) break;
      }
    } catch (error) {
      // PGlite itself failed (not a statement: those are answered as errors). The connection ends.
      process.stderr.write(`ledger: a connection to the embedded store failed: ${String((error as Error)?.message ?? error)}\n`);
      this.working = false;
      await this.end();
      return;
    }
    this.working = false;
  }

  /** The next whole message in the buffer, answers the requests PGlite has no use for, or says to close. */
  private nextMessage(): Buffer | 'close' | undefined {
    for (;;) {
      if (!this.started) {
        if (this.buffer.length < 8) return undefined;
        const length = this.buffer.readInt32BE(0);
        const code = this.buffer.readInt32BE(4);
        if (length < 8 || length > MAX_MESSAGE_BYTES) return 'close';
        if (this.buffer.length < length) return undefined;
        const body = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          this.socket.write('N'); // no encryption on a local socket
          continue;
        }
        if (code === CANCEL_REQUEST) return 'close'; // PGlite has no backend to signal
        if (code !== PROTOCOL_3) return 'close';
        this.started = true;
        return body;
      }
      if (this.buffer.length < 5) return undefined;
      const length = this.buffer.readInt32BE(1);
      if (length < 4 || length > MAX_MESSAGE_BYTES) return 'close';
      if (this.buffer.length < length + 1) return undefined;
      const body = this.buffer.subarray(0, length + 1);
      this.buffer = this.buffer.subarray(length + 1);
      // Terminate is not passed on: the session outlives the client.
      if (body[0] === 0x58) return 'close';
      return body;
    }
  }

  private async run(msg: Buffer): Promise<void> {
    if (this.release === undefined) {
      const release = await this.gate.acquire();
      if (this.closed) {
        release();
        return;
      }
      this.release = release;
    }
    clearTimeout(this.idleTimer);
    const response = await this.execute(msg);
    if (response.length > 0) this.socket.write(response);
    const status = readyStatus(response);
    if (status !== undefined) this.status = status;
    else this.status = 'busy';
    if (this.status === 'I') {
      const release = this.release;
      this.release = undefined;
      release();
    } else {
      this.idleTimer = setTimeout(() => void this.end(), IDLE_HOLD_LIMIT_MS);
    }
  }

  /**
   * Runs one message on PGlite and returns its answer. PGlite's wire protocol has no COPY FROM
   * STDIN (its backend exits), so that is done here: the data is collected from the client's
   * CopyData messages and loaded with PGlite's own COPY FROM '/dev/blob', whose answer
   * (CommandComplete or the error, then ReadyForQuery) goes back to the client as it is.
   */
  private async execute(msg: Buffer): Promise<Uint8Array> {
    const type = String.fromCharCode(msg[0] as number);
    if (this.copy !== undefined) {
      const copy = this.copy;
      if (type === 'd') {
        copy.bytes += msg.length - 5;
        if (copy.bytes > MAX_COPY_BYTES) throw new Error(`COPY data over ${MAX_COPY_BYTES} bytes`);
        copy.data.push(Buffer.from(msg.subarray(5)));
        return new Uint8Array(0);
      }
      if (type === 'H' || type === 'S') return new Uint8Array(0); // ignored during COPY, as PostgreSQL does
      this.copy = undefined;
      if (type === 'c') {
        await this.pglite._handleBlob(new Blob(copy.data));
        try {
          return await this.pglite.execProtocolRaw(message('Q', Buffer.from(`${copy.statement}\0`)));
        } finally {
          await this.pglite._cleanupBlob();
        }
      }
      // CopyFail (or anything else): the statement fails, as a failed COPY does, through PGlite so that its transaction is aborted.
      const reason = type === 'f' ? msg.subarray(5, msg.length - 1).toString('utf8') : 'unexpected message during COPY';
      return this.pglite.execProtocolRaw(
        message('Q', Buffer.from(`DO $$BEGIN RAISE EXCEPTION 'COPY from stdin failed: %', ${quote(reason)}; END$$\0`)),
      );
    }
    if (type === 'Q') {
      const text = msg.subarray(5, msg.length - 1).toString('utf8');
      const copy = COPY_FROM_STDIN.exec(text);
      if (copy !== null) {
        this.copy = { statement: `${copy[1] as string}'/dev/blob'`, data: [], bytes: 0 };
        return copyInResponse();
      }
    }
    if (type === 'P') {
      // COPY FROM STDIN through the extended protocol: refused by PGlite at Parse (an unknown function), so that it answers as for any error.
      const name = msg.indexOf(0, 5);
      const text = msg.subarray(name + 1, msg.indexOf(0, name + 1)).toString('utf8');
      if (COPY_FROM_STDIN.test(text)) {
        const rest = msg.subarray(msg.indexOf(0, name + 1) + 1);
        const body = Buffer.concat([
          msg.subarray(5, name + 1),
          Buffer.from('SELECT copy_from_stdin_needs_the_simple_query_protocol()\0'),
          rest,
        ]);
        return this.pglite.execProtocolRaw(message('P', body));
      }
    }
    return this.pglite.execProtocolRaw(new Uint8Array(msg.buffer, msg.byteOffset, msg.length));
  }
}

/** CopyInResponse: text format, no per-column formats (clients of text COPY do not read them). */
function copyInResponse(): Uint8Array {
  const body = Buffer.alloc(3);
  body.writeInt8(0, 0);
  body.writeInt16BE(0, 1);
  return message('G', body);
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The status byte of the last ReadyForQuery among the backend messages in `data`, if any. */
export function readyStatus(data: Uint8Array): 'I' | 'T' | 'E' | undefined {
  let status: 'I' | 'T' | 'E' | undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at + 5 <= data.length;) {
    const type = data[at];
    const length = view.getInt32(at + 1);
    if (type === 0x5a && length === 5 && at + 5 < data.length) {
      const byte = String.fromCharCode(data[at + 5] as number);
      if (byte === 'I' || byte === 'T' || byte === 'E') status = byte;
    }
    at += 1 + length;
  }
  return status;
}

function message(type: string, body: Buffer): Uint8Array {
  const out = Buffer.alloc(5 + body.length);
  out.write(type, 0, 'latin1');
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}
