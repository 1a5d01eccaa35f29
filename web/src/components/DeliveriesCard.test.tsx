import { render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Delivery } from '../api';
import { DeliveriesCard } from './DeliveriesCard';

const fetchMock = vi.fn<typeof fetch>();
const JTI = '0f8c5b8e-4a61-4d3b-9d0e-1b2c3d4e5f60';

const IN_VAULT: Delivery = {
  kind: 'vault',
  target: 'tools/fluent/fluent-bit',
  version: 4,
  at: '2026-12-03T09:00:00.000Z',
  outcome: 'delivered',
  jti: JTI,
};
const SYNC_WAITING: Delivery = {
  kind: 'github-sync',
  target: 'example/fluent-bit',
  path: 'tools/fluent/fluent-bit',
  at: '2026-12-03T09:00:01.000Z',
  outcome: 'pending',
  error: 'Vault is unavailable',
  jti: JTI,
};
const SECRET: Delivery = {
  kind: 'github',
  target: 'example/billing-api',
  at: '2026-12-03T09:00:02.000Z',
  outcome: 'delivered',
  jti: JTI,
};

beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

describe('DeliveriesCard', () => {
  it('names each kind of delivery, its destination and why it waits', async () => {
    fetchMock.mockResolvedValueOnce(
      new Response(JSON.stringify([IN_VAULT, SYNC_WAITING, SECRET]), { status: 200 }),
    );
    render(<DeliveriesCard accountId="acc 1" version={0} />);

    const table = await screen.findByRole('table', { name: 'Deliveries' });
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe(
      '/v1/collection/broker-account/acc%201/deliveries',
    );
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('Vault');
    expect(rows[0]).toHaveTextContent('tools/fluent/fluent-bit (v4)');
    expect(rows[1]).toHaveTextContent('GitHub sync');
    expect(rows[1]).toHaveTextContent('example/fluent-bit ← tools/fluent/fluent-bit');
    expect(within(rows[1]).getByText('pending')).toBeInTheDocument();
    expect(rows[1]).toHaveTextContent('Vault is unavailable');
    expect(rows[2]).toHaveTextContent('GitHub secret');
    expect(rows[2]).toHaveTextContent('example/billing-api');
  });

  it('says so when nothing was stored', async () => {
    fetchMock.mockResolvedValueOnce(new Response('[]', { status: 200 }));
    render(<DeliveriesCard accountId="acc" version={0} />);
    expect(await screen.findByText(/Not stored anywhere yet/)).toBeInTheDocument();
  });
});
