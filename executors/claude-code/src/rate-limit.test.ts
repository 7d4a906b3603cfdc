import { describe, expect, it } from 'vitest';
import { detectRateLimit, newRateLimitState, resetFromText } from './rate-limit.js';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);

describe('detectRateLimit', () => {
  it('a rejected rate_limit_event gives the reset time; a model-only weekly limit names the model', () => {
    const state = newRateLimitState();
    const event = detectRateLimit({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: NOW / 1000 + 600, rateLimitType: 'five_hour' } }, state, 'opus', NOW);
    expect(event).toEqual({ type: 'rate_limited', scope: 'credential', message: 'Claude usage limit reached (five_hour)', retry_at: new Date(NOW + 600_000).toISOString() });
    // Reported once per run: the synthetic error that follows says nothing new.
    expect(detectRateLimit({ type: 'assistant', error: 'rate_limit', message: { content: [] } }, state, 'opus', NOW)).toBeUndefined();
    const weekly = detectRateLimit({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', rateLimitType: 'seven_day_opus' } }, newRateLimitState(), 'claude-opus-4', NOW);
    expect(weekly).toMatchObject({ scope: 'model', model: 'claude-opus-4' });
    expect(weekly!.retry_at).toBeUndefined();
  });

  it('an allowed rate_limit_event and other API retries are no limit', () => {
    const state = newRateLimitState();
    expect(detectRateLimit({ type: 'rate_limit_event', rate_limit_info: { status: 'allowed_warning', resetsAt: 1 } }, state, undefined, NOW)).toBeUndefined();
    expect(detectRateLimit({ type: 'system', subtype: 'api_retry', error_status: 529, error: 'overloaded', retry_delay_ms: 500 }, state, undefined, NOW)).toBeUndefined();
    expect(detectRateLimit({ type: 'result', is_error: true, api_error_status: 500, result: 'API Error: 500' }, state, undefined, NOW)).toBeUndefined();
    expect(detectRateLimit({ type: 'result', is_error: false, result: 'I read about usage limit reached errors' }, state, undefined, NOW)).toBeUndefined();
  });

  it('an API retry on 429 is a limit until Claude Code would have retried', () => {
    const event = detectRateLimit({ type: 'system', subtype: 'api_retry', error_status: 429, error: 'rate_limit', retry_delay_ms: 35_273 }, newRateLimitState(), undefined, NOW);
    expect(event).toMatchObject({ type: 'rate_limited', scope: 'credential', retry_at: new Date(NOW + 35_273).toISOString() });
  });

  it('a 429 result or a usage-limit text without a time has no retry_at; hostile messages are ignored', () => {
    const event = detectRateLimit({ type: 'result', is_error: true, api_error_status: 429, result: 'API Error: Request rejected (429)' }, newRateLimitState(), undefined, NOW);
    expect(event).toEqual({ type: 'rate_limited', scope: 'credential', message: 'API Error: Request rejected (429)' });
    for (const hostile of [null, 'x', [], { type: 'rate_limit_event' }, { type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: 'soon' } }]) {
      const got = detectRateLimit(hostile, newRateLimitState(), undefined, NOW);
      if (got !== undefined) expect(got.retry_at).toBeUndefined();
    }
    const long = detectRateLimit({ type: 'result', is_error: true, api_error_status: 429, result: 'x'.repeat(10_000) }, newRateLimitState(), undefined, NOW);
    expect(long!.message.length).toBe(2000);
  });
});

describe('resetFromText', () => {
  it('reads an epoch suffix and "resets at" times, in a named zone or the local one, always in the future', () => {
    expect(resetFromText('Claude AI usage limit reached|1796220000', NOW)).toBe(1796220000_000);
    expect(resetFromText('5-hour limit reached ∙ resets 9pm (UTC)', NOW)).toBe(Date.UTC(2026, 11, 2, 21, 0));
    expect(resetFromText('usage limit reached, resets at 9:20am (UTC)', NOW)).toBe(Date.UTC(2026, 11, 3, 9, 20));
    expect(resetFromText('resets 12am (UTC)', NOW)).toBe(Date.UTC(2026, 11, 3, 0, 0));
    // Berlin is UTC+1 in December: 9pm there is 20:00 UTC.
    expect(resetFromText("You've hit your limit · resets 9pm (Europe/Berlin)", NOW)).toBe(Date.UTC(2026, 11, 2, 20, 0));
    const local = resetFromText('resets 9pm', NOW)!;
    expect(local).toBeGreaterThan(NOW);
    expect(local - NOW).toBeLessThanOrEqual(24 * 3_600_000);
  });

  it('gives nothing for times that are not times or zones that do not exist', () => {
    expect(resetFromText('usage limit reached', NOW)).toBeUndefined();
    expect(resetFromText('resets 13pm', NOW)).toBeUndefined();
    expect(resetFromText('resets 25:00', NOW)).toBeUndefined();
    expect(resetFromText('resets 9pm (Mars/Olympus)', NOW)).toBeUndefined();
  });
});
