import { Box, Button, Card, CardContent, CardHeader, Chip, Typography } from '@mui/material';
import { Link as RouterLink } from 'react-router-dom';
import type { Combo } from '../api';
import { arrow, connectionHref, groupConnections } from '../lib/connections';
import { useSession } from '../lib/session';

/**
 * The "Connections" section: one heading per connected collection and direction (a link to
 * the list of those objects), with each object as a chip beneath it.
 */
export function ConnectionsCard({ combo, collection }: { combo: Combo; collection: string }) {
  const { collectionTitle } = useSession();
  const groups = groupConnections(combo.upstream, combo.downstream);
  return (
    <Card component="section" aria-labelledby="connections-title">
      <CardHeader
        title="Connections"
        titleTypographyProps={{ variant: 'h6', component: 'h2', id: 'connections-title' }}
        subheader="↓ downstream: objects this one points to · ↑ upstream: objects pointing here"
        subheaderTypographyProps={{ variant: 'caption' }}
      />
      <CardContent sx={{ pt: 0 }}>
        {groups.length === 0 && <Typography color="text.secondary">None</Typography>}
        {groups.map((group) => (
          <Box key={`${group.direction}-${group.collection}`} sx={{ mb: 2 }}>
            <Button
              component={RouterLink}
              to={`/browse/${collection}/${combo.collection.id}/connections?collection=${group.collection}&direction=${group.direction}`}
              size="small"
              variant="outlined"
              sx={{ textTransform: 'none', mb: 1 }}
            >
              {arrow(group.direction)} {collectionTitle(group.collection)} ({group.items.length})
            </Button>
            <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5 }}>
              {group.items.map((item) => (
                <Chip
                  key={item.edge.id}
                  size="small"
                  clickable
                  component={RouterLink}
                  to={connectionHref(item)}
                  label={`${item.vertex.name} · ${item.edge.name}`}
                />
              ))}
            </Box>
          </Box>
        ))}
      </CardContent>
    </Card>
  );
}
