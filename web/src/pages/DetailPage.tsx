import KeyIcon from '@mui/icons-material/Key';
import PeopleIcon from '@mui/icons-material/People';
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
  TableRow,
  Tooltip,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import { Link as RouterLink, useParams } from 'react-router-dom';
import { collectionName, getCombo, listTokens, type Combo, type CollectionConfig } from '../api';
import { ConnectionsCard } from '../components/ConnectionsCard';
import { ExpiryText } from '../components/ExpiryText';
import { IntentionHistory } from '../components/IntentionHistory';
import { MembersDialog } from '../components/MembersDialog';
import { PageHeader } from '../components/PageHeader';
import { StateChip } from '../components/StateChip';
import { formatField } from '../lib/fieldFormat';
import { teamMembers } from '../lib/members';
import { useSession } from '../lib/session';
import { useAsync } from '../lib/useAsync';
import { useTokenEvents } from '../lib/useTokenEvents';
import { NotFoundPage } from './NotFoundPage';

function DetailsCard({ combo, config }: { combo: Combo; config?: CollectionConfig }) {
  const fields = Object.entries(config?.fields ?? {})
    .filter(([key]) => key !== 'name')
    .sort(([, a], [, b]) => a.name.localeCompare(b.name));
  return (
    <Card component="section">
      <CardHeader title="Details" titleTypographyProps={{ variant: 'h6', component: 'h2' }} />
      <CardContent sx={{ pt: 0 }}>
        <Table size="small" aria-label="Details">
          <TableBody>
            {fields.map(([key, field]) => (
              <TableRow key={key}>
                <TableCell component="th" scope="row" sx={{ width: '40%' }}>
                  <Tooltip title={field.hint ?? ''} placement="top-start">
                    <span>{field.name}</span>
                  </Tooltip>
                </TableCell>
                <TableCell sx={{ wordBreak: 'break-word' }}>
                  {formatField(combo.collection[key], field)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}

function AccountTokenSummary({ accountId, clientId }: { accountId: string; clientId: string }) {
  const tokens = useAsync(() => listTokens(accountId), [accountId]);
  useTokenEvents((changed) => changed === clientId && tokens.reload());
  const current = tokens.data?.[0];
  return (
    <Card component="section">
      <CardHeader
        title="Broker Account"
        titleTypographyProps={{ variant: 'h6', component: 'h2' }}
        action={
          <Button
            component={RouterLink}
            to={`/browse/brokerAccount/${accountId}/token`}
            variant="contained"
            startIcon={<KeyIcon />}
          >
            Access Token
          </Button>
        }
      />
      <CardContent sx={{ pt: 0 }}>
        <Typography variant="body2" color="text.secondary" gutterBottom>
          A machine identity. Its token lets the team&apos;s automation call Broker.
        </Typography>
        {tokens.loading && !tokens.data && <LinearProgress />}
        {tokens.error && <Alert severity="warning">{tokens.error.message}</Alert>}
        {tokens.data && !current && <Typography>This account has no token yet.</Typography>}
        {current && (
          <Table size="small" aria-label="Current token">
            <TableBody>
              <TableRow>
                <TableCell component="th">JTI</TableCell>
                <TableCell sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
                  {current.jti}
                </TableCell>
              </TableRow>
              <TableRow>
                <TableCell component="th">State</TableCell>
                <TableCell>
                  <StateChip state={current.state} graceUntil={current.graceUntil} />
                </TableCell>
              </TableRow>
              <TableRow>
                <TableCell component="th">Expiry</TableCell>
                <TableCell>
                  <ExpiryText exp={current.claims.exp} />
                </TableCell>
              </TableRow>
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}

function TeamMembersCard({ combo, onOpen }: { combo: Combo; onOpen: () => void }) {
  const members = teamMembers(combo);
  return (
    <Card component="section">
      <CardHeader
        title="Members"
        titleTypographyProps={{ variant: 'h6', component: 'h2' }}
        action={
          <Button onClick={onOpen} startIcon={<PeopleIcon />}>
            Members
          </Button>
        }
      />
      <CardContent sx={{ pt: 0 }}>
        {members.length === 0 && <Typography color="text.secondary">No members</Typography>}
        {members.map((group) => (
          <Box key={group.role} sx={{ mb: 1 }}>
            <Typography variant="subtitle2">{group.title}</Typography>
            <Typography variant="body2" color="text.secondary">
              {group.items.map((m) => m.vertex.name).join(', ')}
            </Typography>
          </Box>
        ))}
      </CardContent>
    </Card>
  );
}

export function DetailPage() {
  const params = useParams();
  const collection = collectionName(params.collection ?? '');
  const id = params.id ?? '';
  const { configOf, collectionTitle } = useSession();
  const config = configOf(collection);
  const combo = useAsync(() => getCombo(collection, id), [collection, id]);
  const [membersOpen, setMembersOpen] = useState(false);

  if (combo.error && !combo.data) {
    return <NotFoundPage message={combo.error.message} />;
  }
  if (!combo.data) return <LinearProgress />;
  const data = combo.data;
  const isAccount = collection === 'brokerAccount';
  const isTeam = collection === 'team';

  return (
    <Box>
      <PageHeader
        title={data.collection.name}
        subtitle={`Browse - ${collectionTitle(collection)}`}
        back={{ to: `/browse/${collection}`, label: `Back to ${collectionTitle(collection)} list` }}
        docTitle={data.collection.name}
        actions={
          <>
            {isAccount && (
              <Button
                component={RouterLink}
                to={`/browse/brokerAccount/${id}/token`}
                variant="outlined"
                startIcon={<KeyIcon />}
              >
                Access Token
              </Button>
            )}
            {isTeam && (
              <Button
                variant="outlined"
                startIcon={<PeopleIcon />}
                onClick={() => setMembersOpen(true)}
              >
                Members
              </Button>
            )}
          </>
        }
      />
      <Box
        sx={{
          display: 'grid',
          gap: 2,
          gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' },
          alignItems: 'start',
        }}
      >
        <Box sx={{ display: 'grid', gap: 2 }}>
          <DetailsCard combo={data} config={config} />
          {isTeam && <TeamMembersCard combo={data} onOpen={() => setMembersOpen(true)} />}
        </Box>
        <Box sx={{ display: 'grid', gap: 2 }}>
          {isAccount && (
            <AccountTokenSummary accountId={id} clientId={String(data.collection.clientId ?? '')} />
          )}
          <ConnectionsCard combo={data} collection={collection} />
        </Box>
      </Box>
      {isAccount && (
        <Box sx={{ mt: 2 }}>
          <IntentionHistory accountId={id} />
        </Box>
      )}
      {isTeam && (
        <MembersDialog
          open={membersOpen}
          combo={data}
          onClose={() => setMembersOpen(false)}
          onChanged={combo.reload}
        />
      )}
    </Box>
  );
}
