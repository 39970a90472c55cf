#!/usr/bin/env node
'use strict';
// Checks an inclusion proof of the budget ledger (`ledger prove --event <id> --checkpoint <file>`)
// with nothing but Node.js (≥ 18) and the ledger's public key: no project code, no database.
//
//   node tools/verify-proof.js --proof proof.json --public-key ledger-public.pem [--key-id sha256:…]
//
// It recomputes the event's content hash and chain hash from the event as the proof carries it
// (docs/decisions/0003-hash-chain.md), walks the RFC 6962 audit path from that leaf to a root,
// compares the root with the checkpoint's digest, and checks the checkpoint's Ed25519 signature
// and that the key is the one given (docs/decisions/0011-signed-checkpoints.md). Exit 0: the event
// is in the log the key's holder signed; 1: it is not (the reason on stderr); 2: bad usage.
const crypto = require('node:crypto');
const fs = require('node:fs');

function usage(message) {
  process.stderr.write(`${message}\nusage: node tools/verify-proof.js --proof <file|-> --public-key <pem> [--key-id sha256:<hex>]\n`);
  process.exit(2);
}

function option(name) {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

const sha256 = (...parts) => {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const sha256Hex = (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

// Sorted-key JSON without whitespace, strings and numbers as JSON.stringify writes them.
function canonicalJson(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

// The event's link of its stream's chain: sha256(prevHash + "\n" + canonical link).
function chainHash(e) {
  const contentHash = sha256Hex(
    canonicalJson({ correction: e.correction, data: e.data, effectiveDate: e.effectiveDate, metadata: e.metadata, type: e.type }),
  );
  const link = canonicalJson({
    contentHash,
    eventId: e.eventId,
    position: String(e.position),
    recordedAt: e.recordedAt,
    streamId: e.streamId,
    streamVersion: String(e.streamVersion),
  });
  return sha256Hex(`${e.prevHash}\n${link}`);
}

// RFC 9162 §2.1.3.2: the root an audit path leads to, or null when it does not fit the tree.
function rootFromPath(index, size, leaf, path) {
  if (!(index >= 0 && index < size)) return null;
  let fn = index;
  let sn = size - 1;
  let r = sha256(Buffer.from([0]), leaf);
  for (const hex of path) {
    const p = Buffer.from(hex, 'hex');
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = sha256(Buffer.from([1]), p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = sha256(Buffer.from([1]), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

// The bytes the checkpoint's signature covers.
function checkpointMessage(c) {
  return Buffer.from(
    `budget-ledger-checkpoint/v1\nposition ${c.position}\nevents ${c.events}\ndigest ${c.digest}\nkeyId ${c.keyId}\ncreatedAt ${c.createdAt}\n`,
    'utf8',
  );
}

function main() {
  const proofFile = option('--proof');
  const keyFile = option('--public-key');
  if (proofFile === undefined || keyFile === undefined) usage('--proof and --public-key are required');
  const proof = JSON.parse(fs.readFileSync(proofFile === '-' ? 0 : proofFile, 'utf8'));
  const publicKey = crypto.createPublicKey(fs.readFileSync(keyFile, 'utf8'));
  const keyId = `sha256:${sha256(publicKey.export({ type: 'spki', format: 'der' })).toString('hex')}`;
  const fail = (why) => {
    process.stderr.write(`NOT PROVEN: ${why}\n`);
    process.exit(1);
  };
  if (proof.format !== 'budget-ledger-inclusion/v1') fail(`unknown proof format ${JSON.stringify(proof.format)}`);
  const { checkpoint, event } = proof;
  const pinned = option('--key-id');
  if (pinned !== undefined && pinned !== keyId) fail(`the public key is ${keyId}, not the pinned ${pinned}`);
  if (checkpoint.keyId !== keyId) fail(`the checkpoint was signed by ${checkpoint.keyId}, not by this key (${keyId})`);
  if (!crypto.verify(null, checkpointMessage(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64')))
    fail('the checkpoint signature is not valid');
  if (proof.treeSize !== checkpoint.events) fail(`the proof is for a tree of ${proof.treeSize} events, the checkpoint signed ${checkpoint.events}`);
  if (BigInt(event.position) > BigInt(checkpoint.position)) fail(`event position ${event.position} is after the checkpoint's ${checkpoint.position}`);
  const leaf = Buffer.from(chainHash(event), 'hex');
  const root = rootFromPath(proof.leafIndex, proof.treeSize, leaf, proof.path);
  if (root === null || root.toString('hex') !== checkpoint.digest) fail('the event and its audit path do not lead to the signed digest');
  process.stdout.write(
    `PROVEN: event ${event.eventId} (${event.type}, position ${event.position}, recorded ${event.recordedAt}) is event ${proof.leafIndex + 1} of the ${checkpoint.events} signed by ${keyId} at ${checkpoint.createdAt}\n`,
  );
}

main();
