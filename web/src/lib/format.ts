import type { LookupState } from '../api/types';

const DAY_MS = 86_400_000;

/** Days under which an expiry is shown in the warning colour. */
export const EXPIRY_WARNING_DAYS = 7;

export type ExpirySeverity = 'ok' | 'warning' | 'expired';

/** Converts a JWT `exp` (seconds since the epoch) to a Date. */
export function expToDate(exp: number): Date {
  return new Date(exp * 1000);
}

/**
 * Human wording for an expiry relative to `now`: "expires in N days", "expires in N hours"
 * under a day, "expires in less than an hour", or "expired N days ago".
 */
export function expiresInText(expiry: Date, now: Date = new Date()): string {
  const ms = expiry.getTime() - now.getTime();
  if (ms <= 0) {
    const days = Math.floor(-ms / DAY_MS);
    if (days === 0) return 'expired today';
    return days === 1 ? 'expired 1 day ago' : `expired ${days} days ago`;
  }
  const days = Math.floor(ms / DAY_MS);
  if (days >= 1) return days === 1 ? 'expires in 1 day' : `expires in ${days} days`;
  const hours = Math.floor(ms / 3_600_000);
  if (hours >= 1) return hours === 1 ? 'expires in 1 hour' : `expires in ${hours} hours`;
  return 'expires in less than an hour';
}

export function expirySeverity(expiry: Date, now: Date = new Date()): ExpirySeverity {
  const ms = expiry.getTime() - now.getTime();
  if (ms <= 0) return 'expired';
  return ms < EXPIRY_WARNING_DAYS * DAY_MS ? 'warning' : 'ok';
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local time of day as HH:MM (24 hours). */
export function formatTimeOfDay(date: Date): string {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Local date and time as YYYY-MM-DD HH:MM. */
export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return '';
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return '';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

export type StateColor = 'success' | 'warning' | 'error' | 'default';

export interface StateView {
  label: string;
  color: StateColor;
  description: string;
}

/** How a token state is shown: a short label ("In grace until 14:05") and a colour. */
export function tokenStateView(
  state: LookupState | null | undefined,
  graceUntil?: string | null,
): StateView {
  switch (state) {
    case 'active':
      return { label: 'Active', color: 'success', description: 'This token authenticates.' };
    case 'grace': {
      const until = graceUntil ? new Date(graceUntil) : null;
      const label =
        until && !Number.isNaN(until.getTime())
          ? `In grace until ${formatTimeOfDay(until)}`
          : 'In grace period';
      return {
        label,
        color: 'warning',
        description: 'A newer token exists; this one keeps working until the grace period ends.',
      };
    }
    case 'blocked':
      return { label: 'Blocked', color: 'error', description: 'Revoked; it no longer works.' };
    case 'expired':
      return { label: 'Expired', color: 'default', description: 'Past its expiry date.' };
    default:
      return {
        label: 'Unknown',
        color: 'default',
        description: 'Broker has no record of this token.',
      };
  }
}

/** Shortens a long identifier for narrow places: "1a2b3c4d…". */
export function shortId(id: string, length = 8): string {
  return id.length > length ? `${id.slice(0, length)}…` : id;
}
