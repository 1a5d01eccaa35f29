import { Alert, Box, Button, CircularProgress } from '@mui/material';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import {
  ApiError,
  getCollectionConfig,
  getSelf,
  logout,
  onUnauthorized,
  type CollectionConfig,
  type SelfUser,
} from './api';
import { Shell } from './components/Shell';
import { makeCollectionTitle, SessionContext, type Session } from './lib/session';
import { BrowsePage } from './pages/BrowsePage';
import { ConnectionsPage } from './pages/ConnectionsPage';
import { DetailPage } from './pages/DetailPage';
import { HomePage } from './pages/HomePage';
import { MyAccountsPage } from './pages/MyAccountsPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SignInPage } from './pages/SignInPage';
import { TokenPage } from './pages/TokenPage';
import { VertexRedirect } from './pages/VertexRedirect';

type Loaded =
  | { kind: 'loading' }
  | { kind: 'signedOut' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; user: SelfUser; configs: CollectionConfig[] };

function currentPath(location: { pathname: string; search: string; hash: string }): string {
  return `${location.pathname}${location.search}${location.hash}`;
}

export function App() {
  const location = useLocation();
  const navigate = useNavigate();
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const onSignInPage = location.pathname === '/signin';

  const load = useCallback(async () => {
    try {
      const user = await getSelf();
      const configs = await getCollectionConfig();
      setLoaded({ kind: 'ready', user, configs });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setLoaded({ kind: 'signedOut' });
      else setLoaded({ kind: 'error', message: (err as Error).message });
    }
  }, []);

  useEffect(() => {
    if (!onSignInPage) void load();
  }, [load, onSignInPage]);

  // A 401 on any later call means the session ended: back to sign-in, then back here.
  useEffect(() => {
    onUnauthorized(() => setLoaded({ kind: 'signedOut' }));
    return () => onUnauthorized(null);
  }, []);

  const signOut = useCallback(async () => {
    try {
      await logout();
    } finally {
      setLoaded({ kind: 'signedOut' });
      navigate('/signin', { replace: true });
    }
  }, [navigate]);

  const session = useMemo<Session | null>(() => {
    if (loaded.kind !== 'ready') return null;
    return {
      user: loaded.user,
      configs: loaded.configs,
      isAdmin: loaded.user.roles.includes('admin'),
      collectionTitle: makeCollectionTitle(loaded.configs),
      configOf: (c) => loaded.configs.find((config) => config.collection === c),
      signOut,
    };
  }, [loaded, signOut]);

  if (onSignInPage) {
    return <SignInPage onSignedIn={() => setLoaded({ kind: 'loading' })} />;
  }
  if (loaded.kind === 'signedOut') {
    const ret = encodeURIComponent(currentPath(location));
    return <Navigate to={`/signin?return=${ret}`} replace />;
  }
  if (loaded.kind === 'error') {
    return (
      <Box sx={{ p: 4, maxWidth: 600, mx: 'auto' }}>
        <Alert
          severity="error"
          action={
            <Button color="inherit" onClick={() => void load()}>
              Retry
            </Button>
          }
        >
          Broker could not be reached: {loaded.message}
        </Alert>
      </Box>
    );
  }
  if (!session) {
    return (
      <Box sx={{ display: 'flex', justifyContent: 'center', p: 8 }}>
        <CircularProgress aria-label="Loading" />
      </Box>
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell>
        <Routes>
          <Route path="/" element={<HomePage />} />
          <Route path="/accounts" element={<MyAccountsPage />} />
          <Route path="/teams" element={<Navigate to="/browse/team?show=connected" replace />} />
          <Route path="/browse" element={<Navigate to="/browse/brokerAccount" replace />} />
          <Route path="/browse/:collection" element={<BrowsePage />} />
          <Route path="/browse/:collection/:id" element={<DetailPage />} />
          <Route path="/browse/:collection/:id/connections" element={<ConnectionsPage />} />
          <Route path="/browse/:collection/:id/token" element={<TokenPage />} />
          <Route path="/vertex/:collection/:vertexId" element={<VertexRedirect />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Shell>
    </SessionContext.Provider>
  );
}
