import { createHash } from 'node:crypto';
import { EMPTY_ROOT, LeafHashes, MerkleAccumulator, rootFromInclusionPath } from './merkle';

const leafOf = (i: number) => createHash('sha256').update(`leaf ${i}`).digest();
const h = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

/** RFC 6962 §2.1 MTH written out as the RFC states it, to check the two faster forms against. */
function referenceRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return h();
  if (leaves.length === 1) return h(Buffer.from([0]), leaves[0] as Buffer);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return h(Buffer.from([1]), referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

describe('RFC 6962 Merkle tree', () => {
  it('gives the root of the RFC for every size up to 70, streaming and from stored leaves alike', () => {
    for (let n = 0; n <= 70; n += 1) {
      const leaves = Array.from({ length: n }, (_, i) => leafOf(i));
      const accumulator = new MerkleAccumulator();
      const stored = new LeafHashes(1);
      for (const leaf of leaves) {
        accumulator.add(leaf);
        stored.add(leaf);
      }
      const expected = referenceRoot(leaves);
      expect(accumulator.root().toString('hex')).toBe(expected.toString('hex'));
      expect(stored.subtreeRoot(0, n).toString('hex')).toBe(expected.toString('hex'));
    }
    expect(new MerkleAccumulator().root()).toEqual(EMPTY_ROOT);
  });

  it('proves every leaf of every tree up to 40, and refuses a wrong leaf, index or path (the size is bound by the signature, not by the path)', () => {
    for (let n = 1; n <= 40; n += 1) {
      const stored = new LeafHashes();
      for (let i = 0; i < n; i += 1) stored.add(leafOf(i));
      const root = stored.subtreeRoot(0, n);
      for (let i = 0; i < n; i += 1) {
        const path = stored.inclusionPath(i, n);
        expect(rootFromInclusionPath(i, n, leafOf(i), path)).toEqual(root);
        expect(rootFromInclusionPath(i, n, leafOf(i + 1), path)).not.toEqual(root);
        if (n > 1) expect(rootFromInclusionPath((i + 1) % n, n, leafOf(i), path)).not.toEqual(root);
        if (path.length > 0) expect(rootFromInclusionPath(i, n, leafOf(i), path.slice(1))).not.toEqual(root);
      }
    }
  });

  it('proves a leaf in an earlier, smaller tree of the same leaves', () => {
    const stored = new LeafHashes();
    for (let i = 0; i < 100; i += 1) stored.add(leafOf(i));
    expect(rootFromInclusionPath(5, 37, leafOf(5), stored.inclusionPath(5, 37))).toEqual(stored.subtreeRoot(0, 37));
    expect(() => stored.inclusionPath(40, 37)).toThrow(RangeError);
  });
});
