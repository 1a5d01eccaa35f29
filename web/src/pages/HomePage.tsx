import GroupsIcon from '@mui/icons-material/Groups';
import KeyIcon from '@mui/icons-material/Key';
import TableViewIcon from '@mui/icons-material/TableView';
import { Box, Card, CardActionArea, CardContent, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { PageHeader } from '../components/PageHeader';
import { useSession } from '../lib/session';

const SECTIONS: { title: string; to: string; icon: ReactNode; text: string }[] = [
  {
    title: 'My accounts',
    to: '/accounts',
    icon: <KeyIcon />,
    text: 'Broker accounts whose tokens you can manage, with their expiry.',
  },
  {
    title: 'Browse',
    to: '/browse',
    icon: <TableViewIcon />,
    text: 'Every collection: accounts, teams, projects, services and more.',
  },
  {
    title: 'Teams',
    to: '/teams',
    icon: <GroupsIcon />,
    text: 'The teams you belong to, their members and their accounts.',
  },
];

export function HomePage() {
  const { user } = useSession();
  return (
    <Box sx={{ maxWidth: 1100 }}>
      <PageHeader title={`Welcome, ${user.name || user.username}`} docTitle="Home" />
      <Typography sx={{ mb: 3, maxWidth: 760 }} color="text.secondary">
        Broker gives your team&apos;s automation a credential of its own: a broker account token.
        Find an account, open its &quot;Access Token&quot; page and generate or renew the token.
        Paste a client_id or a whole token into the search field to find the account it belongs to.
      </Typography>
      <Box
        sx={{
          display: 'grid',
          gap: 2,
          gridTemplateColumns: { xs: '1fr', sm: 'repeat(auto-fill, minmax(280px, 1fr))' },
        }}
      >
        {SECTIONS.map((section) => (
          <Card key={section.to}>
            <CardActionArea component={RouterLink} to={section.to} sx={{ height: '100%' }}>
              <CardContent sx={{ display: 'flex', gap: 2, alignItems: 'flex-start' }}>
                <Box
                  sx={{
                    bgcolor: 'primary.main',
                    color: 'primary.contrastText',
                    borderRadius: '50%',
                    p: 1,
                    display: 'flex',
                  }}
                >
                  {section.icon}
                </Box>
                <Box>
                  <Typography variant="h6" component="h2">
                    {section.title}
                  </Typography>
                  <Typography variant="body2" color="text.secondary">
                    {section.text}
                  </Typography>
                </Box>
              </CardContent>
            </CardActionArea>
          </Card>
        ))}
      </Box>
    </Box>
  );
}
