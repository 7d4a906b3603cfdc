import { describe, expect, it } from 'vitest';
import { PEER_TTL_MS, ReplicaPresence, STARTUP_NOTIFY_MS } from './replica-presence.js';

describe('ReplicaPresence', () => {
  it('notifies while starting, then only while a peer was heard within the TTL', () => {
    const presence = new ReplicaPresence(1_000);
    expect(presence.mustNotify(1_000)).toBe(true);
    expect(presence.mustNotify(1_000 + STARTUP_NOTIFY_MS)).toBe(false);
    const now = 1_000 + STARTUP_NOTIFY_MS + 5;
    expect(presence.heard('peer', now)).toBe(true); // new: answer at once
    expect(presence.heard('peer', now + 1)).toBe(false); // known: no answer
    expect(presence.peerCount(now + 1)).toBe(1);
    expect(presence.mustNotify(now + PEER_TTL_MS - 1)).toBe(true);
    expect(presence.mustNotify(now + PEER_TTL_MS + 1)).toBe(false);
    expect(presence.hasPeers(now + PEER_TTL_MS + 1)).toBe(false);
    expect(presence.heard('peer', now + PEER_TTL_MS + 2)).toBe(true); // forgotten, so new again
  });
});
