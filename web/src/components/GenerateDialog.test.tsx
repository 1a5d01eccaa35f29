import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GenerateDialog } from './GenerateDialog';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJqdGkiOiJuZXcifQ.c2lnbmF0dXJl';
const fetchMock = vi.fn<typeof fetch>();

function renderDialog(overrides: Partial<Parameters<typeof GenerateDialog>[0]> = {}) {
  const props = {
    open: true,
    accountId: 'a1',
    accountName: 'ci-deployer',
    clientId: '6d1c3b9e-2f4a-4c1e-9a7b-1f2e3d4c5b6a',
    renewing: true,
    onClose: vi.fn(),
    onGenerated: vi.fn(),
    ...overrides,
  };
  render(<GenerateDialog {...props} />);
  return props;
}

beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

describe('GenerateDialog', () => {
  it('explains renewal, grace and storage, with 90 days and both options chosen', () => {
    renderDialog({ connected: ['fluent (Project)', 'fluent-bit (Service)'] });
    expect(screen.getByText(/keeps working for one hour/)).toBeInTheDocument();
    expect(screen.getByTestId('generate-destinations')).toHaveTextContent(
      'This account is connected to: fluent (Project), fluent-bit (Service).',
    );
    expect(screen.getByText(/broker-jwt:6d1c3b9e-2f4a-4c1e-9a7b-1f2e3d4c5b6a/)).toBeInTheDocument();
    expect(screen.getByLabelText('90 days')).toBeChecked();
    expect(screen.getByLabelText('60 days')).not.toBeChecked();
    expect(screen.getByLabelText('1 year')).not.toBeChecked();
    expect(screen.getByLabelText(/Vault tools space/)).toBeChecked();
    expect(screen.getByLabelText(/GitHub/)).toBeChecked();
  });

  it('generates, shows the token once with a warning, and asks before closing', async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValueOnce(
      new Response(JSON.stringify({ token: TOKEN }), { status: 201 }),
    );
    const props = renderDialog();
    await user.click(screen.getByLabelText('1 year'));
    await user.click(screen.getByRole('button', { name: 'Generate' }));

    await waitFor(() => expect(screen.getByTestId('generated-token')).toHaveValue(TOKEN));
    expect(String(fetchMock.mock.calls[0][0])).toBe(
      '/v1/collection/broker-account/a1/token?expiration=31536000&patch=true&syncSecrets=true',
    );
    expect(props.onGenerated).toHaveBeenCalledTimes(1);
    expect(screen.getByText(/It will not be shown again/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Generate' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.getByText(/Have you copied the token/)).toBeInTheDocument();
    expect(props.onClose).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Go back' }));
    expect(screen.getByTestId('generated-token')).toHaveValue(TOKEN);

    await user.click(screen.getByRole('button', { name: 'Close' }));
    await user.click(screen.getByRole('button', { name: 'Close anyway' }));
    expect(props.onClose).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('generated-token')).not.toBeInTheDocument();
  });

  it('copies the token to the clipboard and confirms it', async () => {
    const user = userEvent.setup();
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    fetchMock.mockResolvedValueOnce(
      new Response(JSON.stringify({ token: TOKEN }), { status: 201 }),
    );
    renderDialog();
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await user.click(await screen.findByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith(TOKEN);
    expect(await screen.findByText('Copied to the clipboard.')).toBeInTheDocument();
  });

  it('sends syncSecrets=false when Vault storage is unticked', async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValueOnce(
      new Response(JSON.stringify({ token: TOKEN }), { status: 201 }),
    );
    renderDialog();
    await user.click(screen.getByLabelText(/Vault tools space/));
    expect(screen.getByLabelText(/GitHub/)).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await waitFor(() => expect(fetchMock).toHaveBeenCalled());
    expect(String(fetchMock.mock.calls[0][0])).toContain('patch=false&syncSecrets=false');
  });

  it('shows why generation failed and shows no token', async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValueOnce(
      new Response(
        JSON.stringify({
          statusCode: 403,
          message: 'Requires lead-developer or full-access on team platform',
          error: 'Forbidden',
        }),
        { status: 403 },
      ),
    );
    const props = renderDialog();
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The token was not generated: Requires lead-developer or full-access on team platform',
    );
    expect(screen.queryByTestId('generated-token')).not.toBeInTheDocument();
    expect(props.onGenerated).not.toHaveBeenCalled();
  });
});
