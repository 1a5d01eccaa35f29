import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeAction, intentionOutcome, type Intention } from '../api';
import { IntentionHistory } from './IntentionHistory';

const fetchMock = vi.fn<typeof fetch>();

const BACKUP: Intention = {
  id: '6b11a207739db24c688dbf69',
  closed: true,
  event: { provider: 'nightly-backup', reason: 'Nightly backup of the fluent-bit config' },
  user: { name: 'henry', full_name: 'Henry Goddard', domain: 'idp' },
  transaction: { start: '2026-12-03T17:08:23.695Z', outcome: 'success' },
  actions: [
    {
      action: 'backup',
      id: 'backup',
      service: { name: 'fluent-bit', project: 'fluent', environment: 'production' },
    },
  ],
};

const REJECTED: Intention = {
  id: '6b11a207739db24c688dbf70',
  closed: true,
  event: { provider: 'deploy-pipeline', reason: 'Deploy on merge' },
  user: { name: 'alice', full_name: 'Alice Ng' },
  transaction: { start: '2026-12-03T17:09:00.000Z', outcome: 'rejected' },
  actions: [
    {
      action: 'package-installation',
      id: 'install',
      service: {
        name: 'fluent-bit',
        project: 'fluent',
        environment: 'production',
        target: { name: 'fluent-ui', project: 'fluent', environment: 'production' },
      },
      ruleViolation: {
        message: 'User is not authorized to access this environment',
        key: 'user.id',
      },
    },
  ],
};

const OPEN: Intention = {
  id: '6b11a207739db24c688dbf71',
  closed: false,
  event: { reason: 'Sync the database' },
  user: { name: 'bob' },
  transaction: { start: '2026-12-03T17:10:00.000Z' },
  actions: [{ action: 'database-access', id: 'db' }],
};

function answer(data: Intention[], total = data.length): Response {
  return new Response(JSON.stringify({ data, meta: { total } }), { status: 200 });
}

function lastUrl(): string {
  return String(fetchMock.mock.calls.at(-1)?.[0]);
}

beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

describe('IntentionHistory', () => {
  it('lists who opened what, when, why and the outcome, newest first as served', async () => {
    fetchMock.mockResolvedValueOnce(answer([REJECTED, BACKUP]));
    render(<IntentionHistory accountId="a1" />);

    const rows = await screen.findAllByTestId('intention-row');
    expect(lastUrl()).toBe('/v1/collection/broker-account/a1/intentions?offset=0&limit=10');
    expect(rows).toHaveLength(2);
    const backup = rows[1];
    expect(backup).toHaveTextContent('Henry Goddard');
    expect(backup).toHaveTextContent('henry@idp');
    expect(backup).toHaveTextContent('backup fluent/fluent-bit (production)');
    expect(backup).toHaveTextContent('Nightly backup of the fluent-bit config');
    expect(backup).toHaveTextContent('nightly-backup');
    expect(within(backup).getByText('Success').closest('[data-outcome]')).toHaveAttribute(
      'data-outcome',
      'success',
    );
    expect(backup).toHaveTextContent(/2026-12-03 \d\d:\d\d/);

    const rejected = rows[0];
    expect(within(rejected).getByText('Rejected')).toBeInTheDocument();
    expect(rejected).toHaveTextContent('User is not authorized to access this environment');
    expect(rejected).toHaveTextContent(
      'package-installation fluent/fluent-bit → fluent-ui (production)',
    );
  });

  it('says so when the account has no intentions', async () => {
    fetchMock.mockResolvedValueOnce(answer([]));
    render(<IntentionHistory accountId="a1" />);
    expect(await screen.findByTestId('intentions-empty')).toHaveTextContent('No intentions yet.');
  });

  it('filters by outcome on the server and pages from the first page again', async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: 10 }, (_, i) => ({ ...BACKUP, id: `id-${i}` }));
    fetchMock.mockResolvedValueOnce(answer(many, 23));
    render(<IntentionHistory accountId="a1" />);
    await screen.findAllByTestId('intention-row');
    expect(screen.getByText('1–10 of 23')).toBeInTheDocument();

    fetchMock.mockResolvedValueOnce(answer(many, 23));
    await user.click(screen.getByRole('button', { name: 'Go to next page' }));
    await waitFor(() => expect(lastUrl()).toContain('offset=10&limit=10'));

    fetchMock.mockResolvedValueOnce(answer([OPEN]));
    await user.click(screen.getByRole('combobox', { name: 'Outcome' }));
    await user.click(screen.getByRole('option', { name: 'Open' }));
    await waitFor(() =>
      expect(lastUrl()).toBe(
        '/v1/collection/broker-account/a1/intentions?offset=0&limit=10&outcome=open',
      ),
    );
    const row = await screen.findByText('Sync the database');
    expect(row.closest('tr')).toHaveTextContent('Open');
  }, 30_000);

  it('shows the error of a failed load', async () => {
    fetchMock.mockResolvedValueOnce(
      new Response(JSON.stringify({ statusCode: 403, message: 'Forbidden resource' }), {
        status: 403,
      }),
    );
    render(<IntentionHistory accountId="a1" />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Forbidden resource');
  });
});

describe('intention helpers', () => {
  it('derives the outcome: recorded, else open or unknown by the closed flag', () => {
    expect(intentionOutcome(BACKUP)).toBe('success');
    expect(intentionOutcome(REJECTED)).toBe('rejected');
    expect(intentionOutcome(OPEN)).toBe('open');
    expect(intentionOutcome({ ...OPEN, closed: true })).toBe('unknown');
  });

  it('describes an action without a service by its type alone', () => {
    expect(describeAction({ action: 'database-access', id: 'db' })).toBe('database-access');
  });
});
