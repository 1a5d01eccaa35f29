import {
  Alert,
  Card,
  CardContent,
  CardHeader,
  Chip,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { listDeliveries, type Delivery } from '../api';
import { formatDateTime } from '../lib/format';
import { useAsync } from '../lib/useAsync';

const KIND_LABELS: Record<string, string> = {
  vault: 'Vault',
  github: 'GitHub secret',
  'github-sync': 'GitHub sync',
};

/** The destination column: a GitHub sync names the tools path it copies from. */
function destination(d: Delivery): string {
  const from = d.kind === 'github-sync' && d.path ? ` ← ${d.path}` : '';
  const version = d.version != null ? ` (v${d.version})` : '';
  return `${d.target}${from}${version}`;
}

/** Where the account's tokens were written: each delivery with its latest outcome. */
export function DeliveriesCard({ accountId, version }: { accountId: string; version: number }) {
  const deliveries = useAsync(() => listDeliveries(accountId), [accountId, version]);
  return (
    <Card component="section">
      <CardHeader
        title="Where the current token was stored"
        titleTypographyProps={{ variant: 'h6', component: 'h2' }}
      />
      <CardContent sx={{ pt: 0 }}>
        {deliveries.error && <Alert severity="warning">{deliveries.error.message}</Alert>}
        {deliveries.data && deliveries.data.length === 0 && (
          <Typography color="text.secondary">
            Not stored anywhere yet (no connected services, or storage was not chosen).
          </Typography>
        )}
        {deliveries.data && deliveries.data.length > 0 && (
          <TableContainer>
            <Table size="small" aria-label="Deliveries">
              <TableHead>
                <TableRow>
                  <TableCell>Kind</TableCell>
                  <TableCell>Destination</TableCell>
                  <TableCell>When</TableCell>
                  <TableCell>Outcome</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {deliveries.data.map((d, index) => (
                  <TableRow key={`${index}-${d.jti}-${d.kind}-${d.target}-${d.path ?? ''}`}>
                    <TableCell>{KIND_LABELS[d.kind] ?? d.kind}</TableCell>
                    <TableCell sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
                      {destination(d)}
                    </TableCell>
                    <TableCell>{formatDateTime(d.at)}</TableCell>
                    <TableCell>
                      <Chip
                        size="small"
                        label={d.outcome}
                        color={
                          d.outcome === 'delivered' ? 'success' : d.error ? 'error' : 'default'
                        }
                        title={d.error ?? undefined}
                      />
                      {d.error && (
                        <Typography variant="caption" component="div" color="error">
                          {d.error}
                        </Typography>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        )}
      </CardContent>
    </Card>
  );
}
