import {
  Alert,
  Box,
  Card,
  CardContent,
  CardHeader,
  Chip,
  LinearProgress,
  MenuItem,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TablePagination,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import {
  describeAction,
  intentionOutcome,
  listAccountIntentions,
  type Intention,
  type IntentionOutcome,
} from '../api';
import { formatDateTime, type StateColor } from '../lib/format';
import { useAsync } from '../lib/useAsync';

const OUTCOMES: { value: IntentionOutcome | ''; label: string }[] = [
  { value: '', label: 'All outcomes' },
  { value: 'success', label: 'Success' },
  { value: 'failure', label: 'Failure' },
  { value: 'unknown', label: 'Unknown' },
  { value: 'rejected', label: 'Rejected' },
  { value: 'open', label: 'Open' },
];

const OUTCOME_VIEW: Record<IntentionOutcome, { label: string; color: StateColor }> = {
  success: { label: 'Success', color: 'success' },
  failure: { label: 'Failure', color: 'error' },
  unknown: { label: 'Unknown', color: 'warning' },
  rejected: { label: 'Rejected', color: 'error' },
  open: { label: 'Open', color: 'default' },
};

function Who({ intention }: { intention: Intention }) {
  const user = intention.user ?? {};
  const name = user.full_name || user.name || 'unknown user';
  return (
    <>
      {name}
      {user.full_name && user.name && (
        <Typography variant="caption" display="block" color="text.secondary">
          {user.domain ? `${user.name}@${user.domain}` : user.name}
        </Typography>
      )}
    </>
  );
}

function Outcome({ intention }: { intention: Intention }) {
  const outcome = intentionOutcome(intention);
  const view = OUTCOME_VIEW[outcome];
  const violation = intention.actions.find((a) => a.ruleViolation)?.ruleViolation;
  return (
    <>
      <Chip size="small" label={view.label} color={view.color} data-outcome={outcome} />
      {violation && (
        <Typography variant="caption" display="block" color="error" sx={{ mt: 0.5 }}>
          {violation.message}
        </Typography>
      )}
    </>
  );
}

function IntentionRow({ intention }: { intention: Intention }) {
  return (
    <TableRow data-testid="intention-row" data-id={intention.id}>
      <TableCell sx={{ whiteSpace: 'nowrap' }}>
        {formatDateTime(intention.transaction?.start)}
      </TableCell>
      <TableCell>
        <Who intention={intention} />
      </TableCell>
      <TableCell>
        {intention.actions.map((action) => (
          <Typography key={action.id} variant="body2">
            {describeAction(action)}
          </Typography>
        ))}
      </TableCell>
      <TableCell sx={{ wordBreak: 'break-word' }}>
        {intention.event.reason}
        {intention.event.provider && (
          <Typography variant="caption" display="block" color="text.secondary">
            {intention.event.provider}
          </Typography>
        )}
      </TableCell>
      <TableCell>
        <Outcome intention={intention} />
      </TableCell>
    </TableRow>
  );
}

/**
 * The account's intention history, newest first: when, who (the intention's user), what (each
 * action and its service), why (the event reason and provider) and the outcome, with the rule
 * that refused a rejected intention. Filterable by outcome and paged on the server.
 */
export function IntentionHistory({ accountId }: { accountId: string }) {
  const [outcome, setOutcome] = useState<IntentionOutcome | ''>('');
  const [page, setPage] = useState(0);
  const [rowsPerPage, setRowsPerPage] = useState(10);
  const history = useAsync(
    () =>
      listAccountIntentions(accountId, { offset: page * rowsPerPage, limit: rowsPerPage, outcome }),
    [accountId, outcome, page, rowsPerPage],
  );
  const rows = history.data?.data ?? [];
  const total = history.data?.meta.total ?? 0;

  return (
    <Card component="section" aria-label="Intentions">
      <CardHeader
        title="Intentions"
        titleTypographyProps={{ variant: 'h6', component: 'h2' }}
        action={
          <TextField
            select
            size="small"
            label="Outcome"
            value={outcome}
            onChange={(event) => {
              setOutcome(event.target.value as IntentionOutcome | '');
              setPage(0);
            }}
            sx={{ minWidth: 160 }}
          >
            {OUTCOMES.map((o) => (
              <MenuItem key={o.value || 'all'} value={o.value}>
                {o.label}
              </MenuItem>
            ))}
          </TextField>
        }
      />
      <CardContent sx={{ pt: 0 }}>
        <Typography variant="body2" color="text.secondary" gutterBottom>
          What this account&apos;s automation declared before it acted, and why.
        </Typography>
        {history.loading && <LinearProgress />}
        {history.error && <Alert severity="warning">{history.error.message}</Alert>}
        {history.data && rows.length === 0 && (
          <Typography data-testid="intentions-empty">No intentions yet.</Typography>
        )}
        {rows.length > 0 && (
          <Box sx={{ overflowX: 'auto' }}>
            <Table size="small" aria-label="Intention history">
              <TableHead>
                <TableRow>
                  <TableCell>When</TableCell>
                  <TableCell>Who</TableCell>
                  <TableCell>What</TableCell>
                  <TableCell>Why</TableCell>
                  <TableCell>Outcome</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {rows.map((intention) => (
                  <IntentionRow key={intention.id} intention={intention} />
                ))}
              </TableBody>
            </Table>
          </Box>
        )}
        {total > 0 && (
          <TablePagination
            component="div"
            count={total}
            page={page}
            rowsPerPage={rowsPerPage}
            rowsPerPageOptions={[10, 25, 50]}
            onPageChange={(_, next) => setPage(next)}
            onRowsPerPageChange={(event) => {
              setRowsPerPage(Number(event.target.value));
              setPage(0);
            }}
          />
        )}
      </CardContent>
    </Card>
  );
}
