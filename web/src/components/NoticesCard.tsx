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
import { listNotices, type Notice } from '../api/notices';
import { formatDateTime, shortId } from '../lib/format';
import { useAsync } from '../lib/useAsync';

const STATE_LABEL: Record<string, string> = {
  pending: 'sending',
  sent: 'sent',
  logged: 'logged (no SMTP)',
  failed: 'failed, will retry',
  'gave-up': 'not sent',
  'no-recipients': 'nobody to tell',
};

function stateColor(state: string): 'success' | 'warning' | 'error' | 'default' {
  if (state === 'sent') return 'success';
  if (state === 'failed' || state === 'pending') return 'warning';
  if (state === 'gave-up' || state === 'no-recipients') return 'error';
  return 'default';
}

function NoticeRow({ notice }: { notice: Notice }) {
  const who = notice.recipient
    ? `${notice.recipient.name || notice.recipient.email} (${notice.recipient.role})`
    : 'No lead-developer or full-access member';
  return (
    <TableRow>
      <TableCell>{notice.days === 1 ? '1 day' : `${notice.days} days`}</TableCell>
      <TableCell sx={{ wordBreak: 'break-word' }}>
        {who}
        {notice.recipient?.email && (
          <Typography variant="caption" component="div" color="text.secondary">
            {notice.recipient.email}
          </Typography>
        )}
      </TableCell>
      <TableCell>
        {formatDateTime(notice.sentAt ?? notice.createdAt)}
        <Typography variant="caption" component="div" color="text.secondary" title={notice.jti}>
          token {shortId(notice.jti)}
        </Typography>
      </TableCell>
      <TableCell>
        <Chip
          size="small"
          label={STATE_LABEL[notice.state] ?? notice.state}
          color={stateColor(notice.state)}
        />
        {notice.lastError && (
          <Typography variant="caption" component="div" color="error">
            {notice.lastError}
          </Typography>
        )}
      </TableCell>
    </TableRow>
  );
}

/** The expiry notices Broker sent about this account's tokens (7, 3, 2 and 1 days before). */
export function NoticesCard({ accountId, version }: { accountId: string; version: number }) {
  const notices = useAsync(() => listNotices(accountId), [accountId, version]);
  return (
    <Card component="section" data-testid="notices">
      <CardHeader
        title="Expiry notices"
        titleTypographyProps={{ variant: 'h6', component: 'h2' }}
      />
      <CardContent sx={{ pt: 0 }}>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Lead developers and full-access members of the owning teams are e-mailed 7, 3, 2 and 1
          days before a token expires; team owners also get the 7-day notice.
        </Typography>
        {notices.error && <Alert severity="warning">{notices.error.message}</Alert>}
        {notices.data && notices.data.length === 0 && (
          <Typography color="text.secondary">No expiry notice has been sent yet.</Typography>
        )}
        {notices.data && notices.data.length > 0 && (
          <TableContainer>
            <Table size="small" aria-label="Expiry notices">
              <TableHead>
                <TableRow>
                  <TableCell>Before expiry</TableCell>
                  <TableCell>To</TableCell>
                  <TableCell>When</TableCell>
                  <TableCell>State</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {notices.data.map((n) => (
                  <NoticeRow key={`${n.jti}-${n.days}-${n.recipient?.id ?? ''}`} notice={n} />
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        )}
      </CardContent>
    </Card>
  );
}
