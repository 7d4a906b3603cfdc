/** How long a replica counts as present after it was last heard from. */
export const PEER_TTL_MS = 30_000;
/** How often a replica that has peers says it is still here (well under PEER_TTL_MS). */
export const PRESENCE_INTERVAL_MS = 10_000;
/** After it starts listening, a replica notifies whatever it changes for this long, peers heard or not. */
export const STARTUP_NOTIFY_MS = 10_000;

/**
 * Whether other coordinator replicas share this PostgreSQL database, so that what this one changes is
 * worth a NOTIFY. A NOTIFY costs a transaction on every listening backend, its sender's own included,
 * so a lone coordinator (the common case) skips them. Replicas find each other on the channel: one that
 * starts says hello and notifies everything for a while; one that hears a replica it did not know
 * answers at once; replicas with peers say they are here every PRESENCE_INTERVAL_MS; a peer not heard
 * from for PEER_TTL_MS is gone. Pure: the caller gives the time and sends what it is told to.
 */
export class ReplicaPresence {
  readonly #peers = new Map<string, number>();
  readonly #notifyAllUntil: number;

  constructor(startedAt: number) {
    this.#notifyAllUntil = startedAt + STARTUP_NOTIFY_MS;
  }

  /**
   * A payload from `sender` (another replica) arrived. @returns whether to answer with our own
   * presence at once (the sender is new to us: it must learn about us before it skips a NOTIFY).
   */
  heard(sender: string, now: number): boolean {
    const known = this.#peers.has(sender) && this.#peers.get(sender)! + PEER_TTL_MS > now;
    this.#peers.set(sender, now);
    return !known;
  }

  /** Whether changes made now must be notified. */
  mustNotify(now: number): boolean {
    return now < this.#notifyAllUntil || this.hasPeers(now);
  }

  /** Whether any peer was heard from within PEER_TTL_MS. */
  hasPeers(now: number): boolean {
    return this.peerCount(now) > 0;
  }

  /** How many peers were heard from within PEER_TTL_MS (forgetting those that were not). */
  peerCount(now: number): number {
    for (const [sender, at] of this.#peers) if (at + PEER_TTL_MS <= now) this.#peers.delete(sender);
    return this.#peers.size;
  }
}
