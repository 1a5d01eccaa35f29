import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Divider,
  TextField,
  Typography,
} from '@mui/material';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError, getAuthProviders, loginLocal, oidcLoginUrl, type AuthProviders } from '../api';
import { safeReturnPath } from '../lib/returnPath';

function loginErrorText(err: unknown): string {
  if (err instanceof ApiError && err.status === 401) return 'Incorrect username or password.';
  if (err instanceof ApiError && err.status === 429) {
    const wait = err.retryAfterSeconds ? ` Try again in ${err.retryAfterSeconds} seconds.` : '';
    return `Too many failed attempts; sign-in is locked for now.${wait}`;
  }
  return err instanceof Error ? err.message : 'Sign-in failed.';
}

export function SignInPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const returnPath = safeReturnPath(params.get('return'));
  const [providers, setProviders] = useState<AuthProviders | null>(null);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Sign in | Broker';
    getAuthProviders().then(setProviders, () =>
      setProviders({ local: true, oidc: { enabled: false } }),
    );
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await loginLocal(username, password);
      setPassword('');
      onSignedIn();
      navigate(returnPath, { replace: true });
    } catch (err) {
      setError(loginErrorText(err));
    } finally {
      setBusy(false);
    }
  };

  const oidc = providers?.oidc;
  return (
    <Box sx={{ minHeight: '100vh', display: 'grid', placeItems: 'center', p: 2 }}>
      <Card sx={{ width: '100%', maxWidth: 400 }}>
        <CardContent>
          <Typography variant="h5" component="h1" gutterBottom fontWeight={700}>
            Broker
          </Typography>
          <Typography variant="body2" color="text.secondary" gutterBottom>
            Sign in to manage broker accounts, their tokens and your teams.
          </Typography>
          {oidc?.enabled && (
            <>
              <Button fullWidth variant="contained" sx={{ my: 2 }} href={oidcLoginUrl(returnPath)}>
                Sign in with {oidc.label || 'single sign-on'}
              </Button>
              <Divider>or</Divider>
            </>
          )}
          {providers?.local !== false && (
            <Box component="form" onSubmit={submit} sx={{ mt: 1 }} noValidate>
              <TextField
                label="Username"
                name="username"
                autoComplete="username"
                fullWidth
                margin="normal"
                required
                value={username}
                onChange={(e) => setUsername(e.target.value)}
                autoFocus
              />
              <TextField
                label="Password"
                name="password"
                type="password"
                autoComplete="current-password"
                fullWidth
                margin="normal"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
              {error && (
                <Alert severity="error" sx={{ my: 1 }} role="alert">
                  {error}
                </Alert>
              )}
              <Button
                type="submit"
                fullWidth
                variant={oidc?.enabled ? 'outlined' : 'contained'}
                disabled={busy || !username || !password}
                sx={{ mt: 2 }}
              >
                Sign in
              </Button>
            </Box>
          )}
        </CardContent>
      </Card>
    </Box>
  );
}
