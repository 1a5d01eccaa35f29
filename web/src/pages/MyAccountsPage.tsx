import {
  Alert,
  Box,
  Button,
  Card,
  LinearProgress,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { Link as RouterLink } from 'react-router-dom';
import { listMyAccounts, type MyAccount } from '../api';
import { ExpiryText } from '../components/ExpiryText';
import { PageHeader } from '../components/PageHeader';
import { StateChip } from '../components/StateChip';
import { useAsync } from '../lib/useAsync';
import { useTokenEvents } from '../lib/useTokenEvents';

function AccountRow({ account }: { account: MyAccount }) {
  const current = account.current;
  return (
    <TableRow data-testid="my-account-row">
      <TableCell>
        <Typography
          component={RouterLink}
          to={`/browse/brokerAccount/${account.id}`}
          sx={{ color: 'primary.main', fontWeight: 500 }}
        >
          {account.name}
        </Typography>
        <Typography
          variant="caption"
          component="div"
          color="text.secondary"
          sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
        >
          {account.clientId}
        </Typography>
      </TableCell>
      <TableCell>
        {current ? (
          <StateChip state={current.state} />
        ) : (
          <Typography variant="body2">No token</Typography>
        )}
      </TableCell>
      <TableCell>{current ? <ExpiryText exp={current.exp} /> : '—'}</TableCell>
      <TableCell align="right">
        <Button
          variant="outlined"
          size="small"
          component={RouterLink}
          to={`/browse/brokerAccount/${account.id}/token`}
        >
          Access Token
        </Button>
      </TableCell>
    </TableRow>
  );
}

/** Accounts whose tokens the user may manage, so nobody walks five pages to find them. */
export function MyAccountsPage() {
  const accounts = useAsync(listMyAccounts, []);
  useTokenEvents((clientId) => {
    if (accounts.data?.some((a) => a.clientId === clientId)) accounts.reload();
  });
  return (
    <Box sx={{ maxWidth: 1100 }}>
      <PageHeader
        title="My accounts"
        subtitle="Broker accounts you can manage"
        docTitle="My accounts"
      />
      {accounts.loading && !accounts.data && <LinearProgress />}
      {accounts.error && <Alert severity="error">{accounts.error.message}</Alert>}
      {accounts.data && accounts.data.length === 0 && (
        <Alert severity="info">
          You cannot manage the tokens of any broker account. Members with the Lead Developer or
          Full Access role on a team that owns an account can.
        </Alert>
      )}
      {accounts.data && accounts.data.length > 0 && (
        <Card>
          <TableContainer>
            <Table aria-label="My accounts">
              <TableHead>
                <TableRow>
                  <TableCell>Account</TableCell>
                  <TableCell>Token</TableCell>
                  <TableCell>Expiry</TableCell>
                  <TableCell />
                </TableRow>
              </TableHead>
              <TableBody>
                {accounts.data.map((account) => (
                  <AccountRow key={account.id} account={account} />
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        </Card>
      )}
    </Box>
  );
}
