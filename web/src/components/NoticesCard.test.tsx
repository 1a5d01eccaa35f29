import { render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Notice } from '../api/notices';
import { NoticesCard } from './NoticesCard';

const fetchMock = vi.fn<typeof fetch>();

const SENT: Notice = {
  jti: '0f8c5b8e-4a61-4d3b-9d0e-1b2c3d4e5f60',
  days: 7,
  template: 'token-expiration-owner',
  recipient: { id: 'u1', name: 'Alice Ng', email: 'alice@example.org', role: 'owner' },
  state: 'sent',
  attempts: 1,
  createdAt: '2026-12-03T09:00:00.000Z',
  sentAt: '2026-12-03T09:00:02.000Z',
};

const FAILED: Notice = {
  jti: '0f8c5b8e-4a61-4d3b-9d0e-1b2c3d4e5f60',
  days: 1,
  template: 'token-expiration-alert',
  recipient: { id: 'u2', name: '', email: 'bob@example.org', role: 'lead-developer' },
  state: 'failed',
  attempts: 2,
  lastError: 'SMTP answered 451',
  createdAt: '2026-12-09T09:00:00.000Z',
};

const NOBODY: Notice = { ...SENT, days: 3, recipient: null, state: 'no-recipients' };

function answer(notices: Notice[]): Response {
  return new Response(JSON.stringify(notices), { status: 200 });
}

beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

describe('NoticesCard', () => {
  it('asks for the account notices and shows each with recipient and state', async () => {
    fetchMock.mockResolvedValueOnce(answer([SENT, FAILED, NOBODY]));
    render(<NoticesCard accountId="acc 1" version={0} />);

    const table = await screen.findByRole('table', { name: 'Expiry notices' });
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe(
      '/v1/collection/broker-account/acc%201/notices',
    );
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('7 days');
    expect(rows[0]).toHaveTextContent('Alice Ng (owner)');
    expect(within(rows[0]).getByText('sent')).toBeInTheDocument();
    expect(rows[1]).toHaveTextContent('1 day');
    expect(rows[1]).toHaveTextContent('bob@example.org (lead-developer)');
    expect(within(rows[1]).getByText('failed, will retry')).toBeInTheDocument();
    expect(rows[1]).toHaveTextContent('SMTP answered 451');
    expect(rows[2]).toHaveTextContent('No lead-developer or full-access member');
    expect(within(rows[2]).getByText('nobody to tell')).toBeInTheDocument();
  });

  it('says so when no notice went out yet', async () => {
    fetchMock.mockResolvedValueOnce(answer([]));
    render(<NoticesCard accountId="a1" version={0} />);
    expect(await screen.findByText('No expiry notice has been sent yet.')).toBeInTheDocument();
  });

  it('asks again when the token changes', async () => {
    fetchMock.mockResolvedValue(answer([]));
    const { rerender } = render(<NoticesCard accountId="a1" version={0} />);
    await screen.findByText('No expiry notice has been sent yet.');
    rerender(<NoticesCard accountId="a1" version={1} />);
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(2));
  });
});
