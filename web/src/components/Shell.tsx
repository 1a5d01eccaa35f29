import AccountCircle from '@mui/icons-material/AccountCircle';
import GroupsIcon from '@mui/icons-material/Groups';
import HomeIcon from '@mui/icons-material/Home';
import KeyIcon from '@mui/icons-material/Key';
import MenuIcon from '@mui/icons-material/Menu';
import TableViewIcon from '@mui/icons-material/TableView';
import {
  AppBar,
  Box,
  Divider,
  Drawer,
  IconButton,
  List,
  ListItemButton,
  ListItemIcon,
  ListItemText,
  Menu,
  MenuItem,
  Toolbar,
  Typography,
  useMediaQuery,
  useTheme,
} from '@mui/material';
import { useState, type ReactNode } from 'react';
import { Link as RouterLink, useLocation, useNavigate } from 'react-router-dom';
import { useSession } from '../lib/session';
import { GlobalSearch } from './GlobalSearch';
import { HealthIndicator } from './HealthIndicator';

const NAV_WIDTH = 200;

const NAV_ITEMS = [
  { label: 'Home', to: '/', icon: <HomeIcon />, match: (p: string) => p === '/' },
  {
    label: 'Browse',
    to: '/browse',
    icon: <TableViewIcon />,
    match: (p: string) => p.startsWith('/browse') && !p.startsWith('/browse/team'),
  },
  {
    label: 'My accounts',
    to: '/accounts',
    icon: <KeyIcon />,
    match: (p: string) => p.startsWith('/accounts'),
  },
  {
    label: 'Teams',
    to: '/teams',
    icon: <GroupsIcon />,
    match: (p: string) => p.startsWith('/browse/team') || p === '/teams',
  },
];

function NavList({ onNavigate }: { onNavigate?: () => void }) {
  const { pathname } = useLocation();
  return (
    <List component="nav" aria-label="Main">
      {NAV_ITEMS.map((item) => (
        <ListItemButton
          key={item.to}
          component={RouterLink}
          to={item.to}
          selected={item.match(pathname)}
          onClick={onNavigate}
        >
          <ListItemIcon sx={{ minWidth: 40 }}>{item.icon}</ListItemIcon>
          <ListItemText primary={item.label} />
        </ListItemButton>
      ))}
    </List>
  );
}

function UserMenu() {
  const { user, isAdmin, signOut } = useSession();
  const navigate = useNavigate();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  return (
    <>
      <IconButton
        color="inherit"
        aria-label="Account menu"
        aria-haspopup="menu"
        onClick={(e) => setAnchor(e.currentTarget)}
      >
        <AccountCircle />
      </IconButton>
      <Menu anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)}>
        <MenuItem
          onClick={() => {
            setAnchor(null);
            navigate(`/vertex/user/${user.vertex}`);
          }}
        >
          <ListItemText primary={user.name || user.username} secondary={user.email} />
        </MenuItem>
        <MenuItem disabled>
          <ListItemText
            primary={isAdmin ? 'Role: admin' : 'No global roles'}
            secondary="Account rights come from team roles"
          />
        </MenuItem>
        <Divider />
        <MenuItem
          onClick={() => {
            setAnchor(null);
            void signOut();
          }}
        >
          Sign out
        </MenuItem>
      </Menu>
    </>
  );
}

/** The frame of every signed-in page: toolbar, navigation and content. */
export function Shell({ children }: { children: ReactNode }) {
  const theme = useTheme();
  const wide = useMediaQuery(theme.breakpoints.up('md'));
  const [navOpen, setNavOpen] = useState(false);
  return (
    <Box sx={{ display: 'flex', minHeight: '100vh' }}>
      <AppBar position="fixed" sx={{ zIndex: (t) => t.zIndex.drawer + 1 }}>
        <Toolbar sx={{ gap: 1, flexWrap: { xs: 'wrap', md: 'nowrap' }, py: { xs: 0.5, md: 0 } }}>
          {!wide && (
            <IconButton
              color="inherit"
              edge="start"
              aria-label="Open navigation"
              onClick={() => setNavOpen(true)}
            >
              <MenuIcon />
            </IconButton>
          )}
          <Typography
            variant="h6"
            component={RouterLink}
            to="/"
            sx={{ color: 'inherit', textDecoration: 'none', fontWeight: 700, mr: 2 }}
          >
            Broker
          </Typography>
          <Box sx={{ flexGrow: 1, display: { xs: 'block', md: 'none' } }} />
          <Box
            sx={{
              order: { xs: 10, md: 0 },
              flexBasis: { xs: '100%', md: 'auto' },
              flexGrow: { md: 1 },
              maxWidth: { md: 520 },
              mx: { md: 'auto' },
              pb: { xs: 1, md: 0 },
            }}
          >
            <GlobalSearch />
          </Box>
          <HealthIndicator showLabel={wide} />
          <UserMenu />
        </Toolbar>
      </AppBar>
      <Drawer
        variant={wide ? 'permanent' : 'temporary'}
        open={wide || navOpen}
        onClose={() => setNavOpen(false)}
        sx={{
          width: wide ? NAV_WIDTH : undefined,
          flexShrink: 0,
          '& .MuiDrawer-paper': { width: NAV_WIDTH, boxSizing: 'border-box' },
        }}
      >
        <Toolbar />
        <NavList onNavigate={() => setNavOpen(false)} />
      </Drawer>
      <Box component="main" sx={{ flexGrow: 1, minWidth: 0, p: { xs: 1.5, sm: 3 } }}>
        <Toolbar sx={{ mb: { xs: 6, md: 0 } }} />
        {children}
      </Box>
    </Box>
  );
}
