/**
 * Expiry notices of a broker account (GET /v1/collection/broker-account/:id/notices): which
 * e-mails Broker sent 7, 3, 2 and 1 days before a token expires, to whom, and in what state.
 */
import { request } from './client';

export type NoticeState = 'pending' | 'sent' | 'logged' | 'failed' | 'gave-up' | 'no-recipients';

export interface Notice {
  jti: string;
  days: number;
  template: 'token-expiration-alert' | 'token-expiration-owner' | string;
  recipient: { id: string; name: string; email: string; role: string } | null;
  state: NoticeState | string;
  attempts: number;
  lastError?: string;
  createdAt: string;
  sentAt?: string;
}

export function listNotices(accountId: string): Promise<Notice[]> {
  return request('GET', `/v1/collection/broker-account/${encodeURIComponent(accountId)}/notices`);
}
