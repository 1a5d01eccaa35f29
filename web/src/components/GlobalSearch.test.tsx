import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeCollectionTitle, SessionContext, type Session } from '../lib/session';
import { GlobalSearch } from './GlobalSearch';

const b64 = (o: unknown) =>
  btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const TOKEN = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ jti: 'j-1', client_id: 'c' })}.c2ln`;

const session: Session = {
  user: { id: 'u', vertex: 'vu', username: 'alice', name: 'Alice', email: '', roles: [] },
  configs: [],
  isAdmin: false,
  collectionTitle: makeCollectionTitle([]),
  configOf: () => undefined,
  signOut: async () => {},
};

const fetchMock = vi.fn<typeof fetch>();
beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

function renderSearch() {
  render(
    <MemoryRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <SessionContext.Provider value={session}>
        <GlobalSearch />
      </SessionContext.Provider>
    </MemoryRouter>,
  );
  return screen.getByRole('combobox', { name: 'Search' });
}

describe('GlobalSearch', () => {
  it('sends a pasted token to the look-up in the body, clears the field and shows the card', async () => {
    fetchMock.mockResolvedValueOnce(
      new Response(
        JSON.stringify({
          account: { id: 'a1', name: 'ci-deployer', clientId: 'c' },
          jti: 'j-1',
          state: 'grace',
          graceUntil: new Date(2026, 0, 1, 14, 5).toISOString(),
          exp: Math.floor(Date.now() / 1000) + 3 * 86400 + 60,
        }),
        { status: 200 },
      ),
    );
    const input = renderSearch();
    fireEvent.change(input, { target: { value: `  ${TOKEN} ` } });

    expect(await screen.findByText('Token look-up')).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/v1/token/lookup');
    expect(JSON.parse(String(init?.body))).toEqual({ query: TOKEN });
    expect(input).toHaveValue('');
    expect(await screen.findByTestId('lookup-jti')).toHaveTextContent('j-1');
    expect(screen.getByTestId('lookup-state')).toHaveTextContent('In grace until 14:05');
    expect(screen.getByText(/expires in 3 days/)).toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain(TOKEN);
  });

  it('uses the typeahead for names and never the look-up', async () => {
    fetchMock.mockResolvedValue(
      new Response(
        JSON.stringify({
          meta: { total: 1 },
          data: [{ id: 'v1', collection: 'brokerAccount', name: 'ci-deployer' }],
        }),
        { status: 200 },
      ),
    );
    const input = renderSearch();
    fireEvent.change(input, { target: { value: 'ci-dep' } });
    await waitFor(() => expect(fetchMock).toHaveBeenCalled());
    expect(String(fetchMock.mock.calls[0][0])).toBe('/v1/graph/typeahead?q=ci-dep');
    expect(await screen.findByText('ci-deployer')).toBeInTheDocument();
    expect(screen.getByText('Broker Account')).toBeInTheDocument();
    expect(fetchMock.mock.calls.every(([u]) => !String(u).includes('lookup'))).toBe(true);
  });
});
