import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';

/**
 * Ed25519 keys of signed checkpoints. The private key is read from a file or an environment
 * variable (PEM, PKCS#8) and never stored in the database: whoever can write the database cannot
 * sign. The key id is the fingerprint of the public key, so an auditor pins a key by comparing it
 * with a fingerprint published elsewhere.
 */

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly keyId: string;
}

export class SigningKeyError extends Error {
  readonly code = 'SIGNING_KEY_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

/** `sha256:` and the hex SHA-256 of the public key's DER (SubjectPublicKeyInfo). */
export function keyIdOf(publicKey: KeyObject): string {
  return (
    'sha256:' +
    createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex')
  );
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

export function signingKeyFromPem(pem: string, source: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    throw new SigningKeyError(`${source}: not a PEM private key (${(error as Error).message})`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(`${source}: an Ed25519 key is required, not ${privateKey.asymmetricKeyType}`);
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

export function publicKeyFromPem(pem: string, source: string): KeyObject {
  let key: KeyObject;
  try {
    // A private key gives its public half; a public key is taken as it is.
    key = createPublicKey(pem);
  } catch (error) {
    throw new SigningKeyError(`${source}: not a PEM key (${(error as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`${source}: an Ed25519 key is required, not ${key.asymmetricKeyType}`);
  return key;
}

/**
 * `LEDGER_SIGNING_KEY_FILE` (a PEM file) or `LEDGER_SIGNING_KEY` (the PEM itself); neither:
 * undefined, and no checkpoint is signed.
 */
export function signingKeyFromEnv(env: NodeJS.ProcessEnv = process.env): SigningKey | undefined {
  const file = env.LEDGER_SIGNING_KEY_FILE?.trim();
  if (file) {
    let pem: string;
    try {
      pem = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new SigningKeyError(`LEDGER_SIGNING_KEY_FILE ${file}: ${(error as Error).message}`);
    }
    return signingKeyFromPem(pem, `LEDGER_SIGNING_KEY_FILE ${file}`);
  }
  const pem = env.LEDGER_SIGNING_KEY?.trim();
  if (pem) return signingKeyFromPem(pem.replace(/\\n/g, '\n'), 'LEDGER_SIGNING_KEY');
  return undefined;
}

/** What a checkpoint says; the signature covers exactly these fields. */
export interface CheckpointStatement {
  /** The last position the digest covers, a decimal string. */
  readonly position: string;
  /** How many events the digest covers: the tree's size. */
  readonly events: number;
  /** Hex RFC 6962 root over the events' chain hashes in position order. */
  readonly digest: string;
  readonly keyId: string;
  readonly createdAt: string;
}

export interface SignedCheckpoint extends CheckpointStatement {
  /** Base64 Ed25519 signature of checkpointMessage(statement). */
  readonly signature: string;
}

export const CHECKPOINT_FORMAT = 'budget-ledger-checkpoint/v1';

/**
 * The signed bytes: one field per line in a fixed order, so that any tool (tools/verify-proof.js,
 * a shell script with openssl) rebuilds them without a JSON canonicalizer.
 */
export function checkpointMessage(s: CheckpointStatement): Buffer {
  return Buffer.from(
    `${CHECKPOINT_FORMAT}\nposition ${s.position}\nevents ${s.events}\ndigest ${s.digest}\nkeyId ${s.keyId}\ncreatedAt ${s.createdAt}\n`,
    'utf8',
  );
}

export function signCheckpoint(statement: CheckpointStatement, key: SigningKey): SignedCheckpoint {
  if (statement.keyId !== key.keyId) throw new SigningKeyError(`the statement names key ${statement.keyId}, not ${key.keyId}`);
  const signature = sign(null, checkpointMessage(statement), key.privateKey).toString('base64');
  return { ...statement, signature };
}

/** Whether the signature holds under `publicKey`, and the key is the one the checkpoint names. */
export function checkpointSignatureValid(checkpoint: SignedCheckpoint, publicKey: KeyObject): boolean {
  if (keyIdOf(publicKey) !== checkpoint.keyId) return false;
  return verify(null, checkpointMessage(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64'));
}

/** Reads a checkpoint as JSON from outside (a file, stdin, an HTTP body), with every field checked. */
export function parseSignedCheckpoint(value: unknown, source: string): SignedCheckpoint {
  const fail = (why: string): never => {
    throw new CheckpointFormatError(`${source}: ${why}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('a checkpoint is a JSON object');
  const v = value as Record<string, unknown>;
  const text = (key: string, pattern: RegExp): string => {
    const field = v[key];
    if (typeof field !== 'string' || !pattern.test(field)) return fail(`${key} is missing or malformed`);
    return field;
  };
  const events = v.events;
  if (typeof events !== 'number' || !Number.isSafeInteger(events) || events < 0) fail('events must be a count');
  return {
    position: text('position', /^\d{1,19}$/),
    events: events as number,
    digest: text('digest', /^[0-9a-f]{64}$/),
    keyId: text('keyId', /^sha256:[0-9a-f]{64}$/),
    createdAt: text('createdAt', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    signature: text('signature', /^[A-Za-z0-9+/]+=*$/),
  };
}

export class CheckpointFormatError extends Error {
  readonly code = 'CHECKPOINT_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointFormatError';
  }
}
