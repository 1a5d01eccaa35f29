import {
  Alert,
  Button,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Table,
  TableBody,
  TableCell,
  TableRow,
} from '@mui/material';
import { Link as RouterLink } from 'react-router-dom';
import type { TokenLookup } from '../api';
import { ExpiryText } from './ExpiryText';
import { StateChip } from './StateChip';

export type LookupOutcome =
  { kind: 'loading' } | { kind: 'found'; lookup: TokenLookup } | { kind: 'error'; message: string };

function LookupTable({ lookup }: { lookup: TokenLookup }) {
  return (
    <Table size="small" aria-label="Token look-up result">
      <TableBody>
        <TableRow>
          <TableCell component="th">Account</TableCell>
          <TableCell>{lookup.account.name}</TableCell>
        </TableRow>
        <TableRow>
          <TableCell component="th">Client ID</TableCell>
          <TableCell sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
            {lookup.account.clientId}
          </TableCell>
        </TableRow>
        <TableRow>
          <TableCell component="th">JTI</TableCell>
          <TableCell
            sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
            data-testid="lookup-jti"
          >
            {lookup.jti ?? '—'}
          </TableCell>
        </TableRow>
        <TableRow>
          <TableCell component="th">State</TableCell>
          <TableCell data-testid="lookup-state">
            <StateChip state={lookup.state ?? 'unknown'} graceUntil={lookup.graceUntil} />
          </TableCell>
        </TableRow>
        <TableRow>
          <TableCell component="th">Expiry</TableCell>
          <TableCell>{lookup.exp ? <ExpiryText exp={lookup.exp} /> : '—'}</TableCell>
        </TableRow>
      </TableBody>
    </Table>
  );
}

/** The card shown after a whole token was pasted into the search field. */
export function TokenLookupDialog({
  outcome,
  onClose,
}: {
  outcome: LookupOutcome | null;
  onClose: () => void;
}) {
  return (
    <Dialog open={outcome !== null} onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>Token look-up</DialogTitle>
      <DialogContent>
        {outcome?.kind === 'loading' && <CircularProgress aria-label="Looking up the token" />}
        {outcome?.kind === 'error' && <Alert severity="warning">{outcome.message}</Alert>}
        {outcome?.kind === 'found' && <LookupTable lookup={outcome.lookup} />}
      </DialogContent>
      <DialogActions>
        {outcome?.kind === 'found' && (
          <>
            <Button
              component={RouterLink}
              to={`/browse/brokerAccount/${outcome.lookup.account.id}`}
              onClick={onClose}
            >
              Open account
            </Button>
            <Button
              variant="contained"
              component={RouterLink}
              to={`/browse/brokerAccount/${outcome.lookup.account.id}/token`}
              onClick={onClose}
            >
              Open token page
            </Button>
          </>
        )}
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
