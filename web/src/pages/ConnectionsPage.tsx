import {
  Alert,
  Card,
  LinearProgress,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
} from '@mui/material';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { collectionName, getCombo } from '../api';
import { PageHeader } from '../components/PageHeader';
import { arrow, connectionHref, type Direction } from '../lib/connections';
import { useSession } from '../lib/session';
import { useAsync } from '../lib/useAsync';

/** The objects of one collection connected to an object (e.g. a team's broker accounts). */
export function ConnectionsPage() {
  const params = useParams();
  const collection = collectionName(params.collection ?? '');
  const id = params.id ?? '';
  const [search] = useSearchParams();
  const target = search.get('collection') ?? '';
  const direction: Direction = search.get('direction') === 'upstream' ? 'upstream' : 'downstream';
  const { collectionTitle } = useSession();
  const navigate = useNavigate();
  const combo = useAsync(() => getCombo(collection, id), [collection, id]);
  const items = (combo.data?.[direction] ?? [])
    .filter((item) => item.vertex.collection === target)
    .sort((a, b) => a.vertex.name.localeCompare(b.vertex.name));
  const title = `${arrow(direction)} ${collectionTitle(target)}`;

  return (
    <>
      <PageHeader
        title={title}
        subtitle={`Connections of ${combo.data?.collection.name ?? '…'} (${collectionTitle(collection)})`}
        back={{ to: `/browse/${collection}/${id}`, label: 'Back to the object' }}
        docTitle="Connections"
      />
      {combo.loading && <LinearProgress />}
      {combo.error && <Alert severity="error">{combo.error.message}</Alert>}
      {combo.data && (
        <Card>
          <TableContainer>
            <Table size="small" aria-label={title}>
              <TableHead>
                <TableRow>
                  <TableCell>Name</TableCell>
                  <TableCell>Relation</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {items.map((item) => (
                  <TableRow
                    key={item.edge.id}
                    hover
                    tabIndex={0}
                    role="link"
                    data-testid="connection-row"
                    sx={{ cursor: 'pointer' }}
                    onClick={() => navigate(connectionHref(item))}
                    onKeyDown={(e) => e.key === 'Enter' && navigate(connectionHref(item))}
                  >
                    <TableCell>{item.vertex.name}</TableCell>
                    <TableCell>{item.edge.name}</TableCell>
                  </TableRow>
                ))}
                {items.length === 0 && (
                  <TableRow>
                    <TableCell colSpan={2}>None</TableCell>
                  </TableRow>
                )}
              </TableBody>
            </Table>
          </TableContainer>
        </Card>
      )}
    </>
  );
}
