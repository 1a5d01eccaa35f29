import { describe, expect, it } from 'vitest';
import { expiresInText, expirySeverity, formatTimeOfDay, tokenStateView } from './format';

const now = new Date('2026-03-01T12:00:00Z');
const plus = (ms: number) => new Date(now.getTime() + ms);
const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('expiresInText', () => {
  it('counts whole days left', () => {
    expect(expiresInText(plus(90 * DAY), now)).toBe('expires in 90 days');
    expect(expiresInText(plus(6 * DAY + 23 * HOUR), now)).toBe('expires in 6 days');
    expect(expiresInText(plus(DAY + 1), now)).toBe('expires in 1 day');
  });

  it('counts hours under a day', () => {
    expect(expiresInText(plus(5 * HOUR + 1000), now)).toBe('expires in 5 hours');
    expect(expiresInText(plus(HOUR), now)).toBe('expires in 1 hour');
    expect(expiresInText(plus(59 * 60_000), now)).toBe('expires in less than an hour');
  });

  it('says how long ago a token expired', () => {
    expect(expiresInText(plus(-1000), now)).toBe('expired today');
    expect(expiresInText(plus(-DAY), now)).toBe('expired 1 day ago');
    expect(expiresInText(plus(-3 * DAY - 5), now)).toBe('expired 3 days ago');
  });
});

describe('expirySeverity', () => {
  it('warns under seven days and flags expired tokens', () => {
    expect(expirySeverity(plus(7 * DAY), now)).toBe('ok');
    expect(expirySeverity(plus(7 * DAY - 1000), now)).toBe('warning');
    expect(expirySeverity(plus(1000), now)).toBe('warning');
    expect(expirySeverity(now, now)).toBe('expired');
  });
});

describe('tokenStateView', () => {
  it('shows the end of the grace period as HH:MM', () => {
    const until = new Date(2026, 2, 1, 14, 5);
    expect(tokenStateView('grace', until.toISOString()).label).toBe('In grace until 14:05');
    expect(tokenStateView('grace', until.toISOString()).color).toBe('warning');
  });

  it('labels every state', () => {
    expect(tokenStateView('active').label).toBe('Active');
    expect(tokenStateView('blocked').label).toBe('Blocked');
    expect(tokenStateView('expired').label).toBe('Expired');
    expect(tokenStateView('unknown').label).toBe('Unknown');
    expect(tokenStateView('grace').label).toBe('In grace period');
  });

  it('pads the time of day', () => {
    expect(formatTimeOfDay(new Date(2026, 0, 1, 9, 3))).toBe('09:03');
  });
});
