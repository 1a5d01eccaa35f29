import BlockIcon from '@mui/icons-material/Block';
import KeyIcon from '@mui/icons-material/Key';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  CardHeader,
  LinearProgress,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from '@mui/material';
import { useRef, useState, type ReactNode } from 'react';
import { useParams } from 'react-router-dom';
import {
  getCombo,
  getObject,
  getTokenPermission,
  listTokens,
  revokeAllTokens,
  revokeToken,
  type TokenPermission,
  type TokenRow,
} from '../api';
import { DeliveriesCard } from '../components/DeliveriesCard';
import { ExpiryText } from '../components/ExpiryText';
import { GenerateDialog } from '../components/GenerateDialog';
import { NoticesCard } from '../components/NoticesCard';
import { PageHeader } from '../components/PageHeader';
import { RevokeDialog } from '../components/RevokeDialog';
import { StateChip } from '../components/StateChip';
import { formatDateTime, shortId } from '../lib/format';
import { useNotify } from '../lib/notifyContext';
import { useSession } from '../lib/session';
import { useAsync } from '../lib/useAsync';
import { useTokenEvents } from '../lib/useTokenEvents';
import { NotFoundPage } from './NotFoundPage';

const OWN_ACTION_QUIET_MS = 5000;
const NO_PERMISSION =
  'Requires lead-developer or full-access on a team that owns this account, or the admin role.';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <TableRow>
      <TableCell component="th" scope="row" sx={{ width: 130, verticalAlign: 'top' }}>
        {label}
      </TableCell>
      <TableCell sx={{ wordBreak: 'break-word' }}>{children}</TableCell>
    </TableRow>
  );
}

function isLive(token: TokenRow): boolean {
  return token.state === 'active' || token.state === 'grace';
}

function TokenCard({
  title,
  token,
  canRevoke,
  onRevoke,
}: {
  title: string;
  token: TokenRow;
  canRevoke: boolean;
  onRevoke: (jti: string) => void;
}) {
  return (
    <Card component="section" data-testid={`token-${title.toLowerCase().split(' ')[0]}`}>
      <CardHeader
        title={title}
        titleTypographyProps={{ variant: 'subtitle1', component: 'h3', fontWeight: 600 }}
        action={<StateChip state={token.state} graceUntil={token.graceUntil} />}
        sx={{ pb: 0 }}
      />
      <CardContent>
        <Table size="small" aria-label={title}>
          <TableBody>
            <Row label="JTI">
              <Box component="span" sx={{ fontFamily: 'monospace' }} data-testid="jti">
                {token.jti}
              </Box>
            </Row>
            <Row label="Issued">
              {formatDateTime(token.createdAt)}
              {token.createdBy?.name ? ` by ${token.createdBy.name}` : ''}
            </Row>
            <Row label="Expiry">
              <ExpiryText exp={token.claims.exp} />
            </Row>
            <Row label="Last used">
              {token.lastUsedAt ? (
                <>
                  {formatDateTime(token.lastUsedAt)}
                  {token.lastUsedIp ? ` from ${token.lastUsedIp}` : ''}
                  {token.lastUsedUserAgent && (
                    <Typography variant="caption" component="div" color="text.secondary">
                      {token.lastUsedUserAgent}
                    </Typography>
                  )}
                </>
              ) : (
                'Never used'
              )}
            </Row>
            <Row label="Client ID">
              <Box component="span" sx={{ fontFamily: 'monospace' }}>
                {token.claims.client_id}
              </Box>
            </Row>
          </TableBody>
        </Table>
        {canRevoke && isLive(token) && (
          <Button
            size="small"
            color="error"
            sx={{ mt: 1 }}
            startIcon={<BlockIcon />}
            onClick={() => onRevoke(token.jti)}
            aria-label={`Revoke token ${token.jti}`}
          >
            Revoke this token
          </Button>
        )}
      </CardContent>
    </Card>
  );
}

function PermissionGate({
  permission,
  children,
}: {
  permission: TokenPermission | undefined;
  children: ReactNode;
}) {
  if (permission?.mayManage) return <>{children}</>;
  const reason = permission?.reason ?? NO_PERMISSION;
  return (
    <Tooltip title={reason}>
      <span>{children}</span>
    </Tooltip>
  );
}

function OlderTokens({ tokens }: { tokens: TokenRow[] }) {
  if (tokens.length === 0) return null;
  return (
    <Card component="section">
      <CardHeader
        title="Older tokens"
        titleTypographyProps={{ variant: 'subtitle1', component: 'h3' }}
      />
      <TableContainer>
        <Table size="small" aria-label="Older tokens">
          <TableHead>
            <TableRow>
              <TableCell>JTI</TableCell>
              <TableCell>Issued</TableCell>
              <TableCell>State</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {tokens.map((t) => (
              <TableRow key={t.jti}>
                <TableCell sx={{ fontFamily: 'monospace' }} title={t.jti}>
                  {shortId(t.jti, 13)}
                </TableCell>
                <TableCell>{formatDateTime(t.createdAt)}</TableCell>
                <TableCell>
                  <StateChip state={t.state} graceUntil={t.graceUntil} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Card>
  );
}

/** The account's access-token page: current and previous token, generate, revoke. */
export function TokenPage() {
  const { id = '' } = useParams();
  const notify = useNotify();
  const { collectionTitle } = useSession();
  const account = useAsync(() => getObject('brokerAccount', id), [id]);
  const tokens = useAsync(() => listTokens(id), [id]);
  const combo = useAsync(() => getCombo('brokerAccount', id).catch(() => null), [id]);
  const permission = useAsync(
    () => getTokenPermission(id).catch(() => ({ mayManage: false }) as TokenPermission),
    [id],
  );
  const [generateOpen, setGenerateOpen] = useState(false);
  const [revokeTarget, setRevokeTarget] = useState<{ jti: string | null } | null>(null);
  const [version, setVersion] = useState(0);
  const lastOwnAction = useRef(0);
  const clientId = String(account.data?.clientId ?? '');
  const name = account.data?.name ?? '';

  const refresh = () => {
    tokens.reload();
    setVersion((v) => v + 1);
  };

  useTokenEvents((changed) => {
    if (!clientId || changed !== clientId) return;
    refresh();
    if (Date.now() - lastOwnAction.current > OWN_ACTION_QUIET_MS) {
      notify('The tokens of this account changed; the page is up to date.', 'info');
    }
  });

  if (account.error && !account.data) return <NotFoundPage message={account.error.message} />;
  const list = tokens.data ?? [];
  const [current, previous, ...older] = list;
  const mayManage = permission.data?.mayManage === true;
  const anyLive = list.some(isLive);

  const confirmRevoke = async () => {
    const jti = revokeTarget?.jti ?? null;
    lastOwnAction.current = Date.now();
    if (jti) await revokeToken(id, jti);
    else await revokeAllTokens(id);
    notify(jti ? `Token ${shortId(jti)} revoked` : 'Token revoked: all active tokens are blocked');
    refresh();
  };

  return (
    <Box>
      <PageHeader
        title={name || '…'}
        subtitle="Browse - Broker Account - Access Token"
        back={{ to: `/browse/brokerAccount/${id}`, label: 'Back to the account' }}
        docTitle="Broker Account Token"
      />
      {(account.loading || tokens.loading) && <LinearProgress sx={{ mb: 1 }} />}
      <Box
        sx={{
          display: 'grid',
          gap: 2,
          gridTemplateColumns: { xs: '1fr', lg: '3fr 2fr' },
          alignItems: 'start',
        }}
      >
        <Card component="section">
          <CardHeader
            title="Broker Account Access Token"
            titleTypographyProps={{ variant: 'h6', component: 'h2' }}
          />
          <CardContent sx={{ pt: 0, display: 'grid', gap: 2 }}>
            <Typography variant="body2" color="text.secondary">
              The token lets this account&apos;s automation call Broker (client_id{' '}
              <Box component="span" sx={{ fontFamily: 'monospace' }}>
                {clientId}
              </Box>
              ). Generate a new one before it expires; the previous token keeps working for one hour
              after renewal. If the account is no longer used, let the token lapse.
            </Typography>
            <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
              <PermissionGate permission={permission.data}>
                <Button
                  variant="contained"
                  startIcon={<KeyIcon />}
                  disabled={!mayManage || !account.data}
                  onClick={() => setGenerateOpen(true)}
                >
                  Generate
                </Button>
              </PermissionGate>
              <PermissionGate permission={permission.data}>
                <Button
                  variant="outlined"
                  color="error"
                  startIcon={<BlockIcon />}
                  disabled={!mayManage || !anyLive}
                  onClick={() => setRevokeTarget({ jti: null })}
                >
                  Revoke Token
                </Button>
              </PermissionGate>
            </Box>
            {permission.data && !mayManage && (
              <Alert severity="info">{permission.data.reason ?? NO_PERMISSION}</Alert>
            )}
            {tokens.error && <Alert severity="error">{tokens.error.message}</Alert>}
            {tokens.data && list.length === 0 && (
              <Typography>This account has no token yet. Generate one to get started.</Typography>
            )}
            {current && (
              <TokenCard
                title="Current token"
                token={current}
                canRevoke={mayManage}
                onRevoke={(jti) => setRevokeTarget({ jti })}
              />
            )}
            {previous && (
              <TokenCard
                title="Previous token"
                token={previous}
                canRevoke={mayManage}
                onRevoke={(jti) => setRevokeTarget({ jti })}
              />
            )}
            <OlderTokens tokens={older} />
          </CardContent>
        </Card>
        <Box sx={{ display: 'grid', gap: 2 }}>
          <DeliveriesCard accountId={id} version={version} />
          <NoticesCard accountId={id} version={version} />
        </Box>
      </Box>
      {account.data && (
        <GenerateDialog
          open={generateOpen}
          accountId={id}
          accountName={name}
          clientId={clientId}
          renewing={list.length > 0}
          connected={
            combo.data
              ? combo.data.downstream
                  .filter((c) => ['project', 'service'].includes(c.vertex.collection))
                  .map((c) => `${c.vertex.name} (${collectionTitle(c.vertex.collection)})`)
              : undefined
          }
          onClose={() => setGenerateOpen(false)}
          onGenerated={() => {
            lastOwnAction.current = Date.now();
            notify('Token generated');
            refresh();
          }}
        />
      )}
      <RevokeDialog
        open={revokeTarget !== null}
        accountName={name}
        jti={revokeTarget?.jti}
        onConfirm={confirmRevoke}
        onClose={() => setRevokeTarget(null)}
      />
    </Box>
  );
}
