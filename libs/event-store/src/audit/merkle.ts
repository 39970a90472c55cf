import { createHash } from 'node:crypto';

/**
 * The Merkle tree of RFC 6962 (Certificate Transparency, §2.1) over SHA-256: a leaf hashes as
 * SHA-256(0x00 || leaf), an inner node as SHA-256(0x01 || left || right), and a tree of n leaves
 * splits after the largest power of two below n. Its root commits to every leaf and to their
 * order, and an inclusion proof of one leaf is log2(n) hashes: an auditor checks one event against
 * a signed root without the rest of the log. The same algorithms are written out again, with no
 * project imports, in tools/verify-proof.js.
 */

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);
export const HASH_BYTES = 32;

export function sha256(...parts: Buffer[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

export function leafHash(leaf: Buffer): Buffer {
  return sha256(LEAF_PREFIX, leaf);
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return sha256(NODE_PREFIX, left, right);
}

/** The root of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT = sha256();

/**
 * The root of a growing tree in O(log n) memory: the roots of the perfect subtrees it is made of,
 * largest first (what RFC 9162 calls a compact range). Adding a leaf merges equal-sized subtrees.
 */
export class MerkleAccumulator {
  private readonly stack: { size: number; hash: Buffer }[] = [];
  private count = 0;

  /** Adds the next leaf (its data, not yet leaf-hashed). */
  add(leaf: Buffer): void {
    let node = { size: 1, hash: leafHash(leaf) };
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined || top.size !== node.size) break;
      this.stack.pop();
      node = { size: top.size * 2, hash: nodeHash(top.hash, node.hash) };
    }
    this.stack.push(node);
    this.count += 1;
  }

  size(): number {
    return this.count;
  }

  /** The tree's root: the subtrees folded from the right, as RFC 6962's split makes them. */
  root(): Buffer {
    let hash: Buffer | undefined;
    for (let i = this.stack.length - 1; i >= 0; i -= 1) {
      const subtree = (this.stack[i] as { hash: Buffer }).hash;
      hash = hash === undefined ? subtree : nodeHash(subtree, hash);
    }
    return hash ?? EMPTY_ROOT;
  }
}

/** Largest power of two strictly below n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Leaf hashes held in one buffer, HASH_BYTES each, for proofs over a whole log. */
export class LeafHashes {
  private buffer: Buffer;
  private count = 0;

  constructor(initialLeaves = 1024) {
    this.buffer = Buffer.alloc(initialLeaves * HASH_BYTES);
  }

  add(leaf: Buffer): void {
    if ((this.count + 1) * HASH_BYTES > this.buffer.length) {
      const bigger = Buffer.alloc(this.buffer.length * 2);
      this.buffer.copy(bigger);
      this.buffer = bigger;
    }
    leafHash(leaf).copy(this.buffer, this.count * HASH_BYTES);
    this.count += 1;
  }

  size(): number {
    return this.count;
  }

  private at(index: number): Buffer {
    return this.buffer.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES);
  }

  /** The root of the leaves [from, to). */
  subtreeRoot(from: number, to: number): Buffer {
    const n = to - from;
    if (n === 0) return EMPTY_ROOT;
    if (n === 1) return Buffer.from(this.at(from));
    const k = splitPoint(n);
    return nodeHash(this.subtreeRoot(from, from + k), this.subtreeRoot(from + k, to));
  }

  /** RFC 6962 §2.1.1 PATH(m, D[0:n]): the audit path of leaf `index` in the tree of the first `size` leaves, from the leaf up. */
  inclusionPath(index: number, size: number = this.count): Buffer[] {
    if (!(index >= 0 && index < size && size <= this.count)) throw new RangeError(`leaf ${index} is not in a tree of ${size} leaves`);
    const path: Buffer[] = [];
    const walk = (m: number, from: number, to: number): void => {
      const n = to - from;
      if (n <= 1) return;
      const k = splitPoint(n);
      if (m < k) {
        walk(m, from, from + k);
        path.push(this.subtreeRoot(from + k, to));
      } else {
        walk(m - k, from + k, to);
        path.push(this.subtreeRoot(from, from + k));
      }
    };
    walk(index, 0, size);
    return path;
  }
}

/**
 * RFC 9162 §2.1.3.2: the root that an audit path leads to from a leaf hash, or undefined when the
 * path does not fit a tree of that size.
 */
export function rootFromInclusionPath(index: number, size: number, leaf: Buffer, path: readonly Buffer[]): Buffer | undefined {
  if (!(index >= 0 && index < size)) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leafHash(leaf);
  for (const p of path) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}
