/**
 * Idempotency (DESIGN.md §3), the one place it is judged: an occurrence of an eventId is compared
 * with the copy already stored under it, or else with the occurrence accepted earlier in the same
 * batch. The same content is a duplicate (acknowledged, not stored again); other content is a
 * conflict. Every occurrence is judged on its own, so the answer never depends on how the input
 * was cut into batches.
 */
export type EventIdJudgement =
  /** Neither stored nor accepted earlier in the batch: the event is decided on its merits. */
  | { readonly kind: 'new' }
  /** Same content as the stored copy (`firstIndex` undefined) or as the batch's occurrence at `firstIndex`. */
  | { readonly kind: 'duplicate'; readonly firstIndex: number | undefined }
  | { readonly kind: 'conflict'; readonly firstIndex: number | undefined };

/** An accepted occurrence of an eventId in the batch being judged. */
export interface AcceptedOccurrence {
  readonly index: number;
  readonly contentHash: string;
}

export function judgeEventId(
  contentHash: string,
  storedContentHash: string | undefined,
  acceptedEarlier: AcceptedOccurrence | undefined,
): EventIdJudgement {
  if (storedContentHash !== undefined) {
    return storedContentHash === contentHash ? { kind: 'duplicate', firstIndex: undefined } : { kind: 'conflict', firstIndex: undefined };
  }
  if (acceptedEarlier !== undefined) {
    return acceptedEarlier.contentHash === contentHash
      ? { kind: 'duplicate', firstIndex: acceptedEarlier.index }
      : { kind: 'conflict', firstIndex: acceptedEarlier.index };
  }
  return { kind: 'new' };
}

/**
 * The judgement of every occurrence of a call in which each new event is accepted (a plain store
 * append, which has no budget rules): `stored` maps eventIds to the content hash stored under them.
 */
export function judgeEventIds(
  items: readonly { readonly eventId: string; readonly contentHash: string }[],
  stored: ReadonlyMap<string, string>,
): EventIdJudgement[] {
  const accepted = new Map<string, AcceptedOccurrence>();
  return items.map((item, index) => {
    const judgement = judgeEventId(item.contentHash, stored.get(item.eventId), accepted.get(item.eventId));
    if (judgement.kind === 'new') accepted.set(item.eventId, { index, contentHash: item.contentHash });
    return judgement;
  });
}
