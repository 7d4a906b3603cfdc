import type { ChangesFeed } from '../events/changes-feed.js';

/** A fragment's answer: its status and HTML. */
export interface FragmentAnswer {
  status: number;
  html: string;
}

/**
 * Answer the fragment `key` with what `render` makes, shared with the other reads of that key since the
 * last message of `GET /v1/changes`.
 */
export type FollowedFragments = (key: string, render: () => Promise<FragmentAnswer>) => Promise<FragmentAnswer>;

/** How long a shared answer serves at most, however quiet the store: it shows durations counted to its `now`. */
export const FOLLOWED_FRAGMENT_MAX_AGE_MS = 1_000;
/** Distinct fragments (filters, pages) kept per feed version; reads of more are rendered each time. */
export const FOLLOWED_FRAGMENT_KEYS = 64;

/**
 * Fragments that pages read again when `GET /v1/changes` tells them something changed (the sessions
 * list's table): fifty open pages read the same fragment after the same message, and each read used to
 * cost a read of the store and a render. Here a fragment is rendered at most once per feed version (per
 * message the feed sent), and the reads that come before the next message share it: none of them was
 * told of any change the shared answer lacks, since a change committed after the answer's render
 * started is in a later message, which makes a new version, and the pages read again after it.
 * With nobody following the feed, nothing is shared. A render that fails is not kept.
 */
export function followedFragments(feed: ChangesFeed, now: () => number = Date.now): FollowedFragments {
  let version = -1;
  const answers = new Map<string, { at: number; answer: Promise<FragmentAnswer> }>();
  return (key, render) => {
    if (!feed.followed) return render();
    if (feed.version !== version) {
      answers.clear();
      version = feed.version;
    }
    const at = now();
    const kept = answers.get(key);
    if (kept !== undefined && at - kept.at <= FOLLOWED_FRAGMENT_MAX_AGE_MS) return kept.answer;
    const answer = render();
    if (kept !== undefined || answers.size < FOLLOWED_FRAGMENT_KEYS) {
      answers.set(key, { at, answer });
      answer.catch(() => {
        if (answers.get(key)?.answer === answer) answers.delete(key);
      });
    }
    return answer;
  };
}
