import DeleteIcon from '@mui/icons-material/PersonRemove';
import {
  Alert,
  Autocomplete,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControl,
  IconButton,
  InputLabel,
  List,
  ListItem,
  ListItemText,
  MenuItem,
  Select,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material';
import { useEffect, useState } from 'react';
import {
  addEdge,
  ApiError,
  deleteEdge,
  TEAM_ROLES,
  typeahead,
  type Combo,
  type Connection,
  type VertexRef,
} from '../api';
import { roleTitle, teamMembers } from '../lib/members';
import { useNotify } from '../lib/notifyContext';
import { useSession } from '../lib/session';

function UserPicker({
  value,
  onChange,
}: {
  value: VertexRef | null;
  onChange: (user: VertexRef | null) => void;
}) {
  const [input, setInput] = useState('');
  const [options, setOptions] = useState<VertexRef[]>([]);
  useEffect(() => {
    if (input.trim().length < 2) {
      setOptions([]);
      return undefined;
    }
    let live = true;
    const timer = window.setTimeout(() => {
      typeahead(input.trim(), ['user']).then(
        (r) => live && setOptions(r.data.filter((v) => v.collection === 'user')),
        () => live && setOptions([]),
      );
    }, 250);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [input]);
  return (
    <Autocomplete
      sx={{ flex: '1 1 220px' }}
      size="small"
      options={options}
      value={value}
      onChange={(_, v) => onChange(v)}
      inputValue={input}
      onInputChange={(_, v) => setInput(v)}
      filterOptions={(all) => all}
      getOptionLabel={(o) => o.name}
      isOptionEqualToValue={(a, b) => a.id === b.id}
      noOptionsText={input.trim().length < 2 ? 'Type 2 or more letters' : 'No user found'}
      renderInput={(params) => (
        <TextField {...params} label="User" placeholder="Search and pick one" />
      )}
    />
  );
}

/** Team members by role; owners and admins may add and remove, everyone else reads. */
export function MembersDialog({
  open,
  combo,
  onClose,
  onChanged,
}: {
  open: boolean;
  combo: Combo;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { user, isAdmin } = useSession();
  const notify = useNotify();
  const [picked, setPicked] = useState<VertexRef | null>(null);
  const [role, setRole] = useState('developer');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState<Connection | null>(null);
  const team = combo.collection.name;
  const isOwner = combo.upstream.some(
    (c) => c.edge.name === 'owner' && c.vertex.id === user.vertex,
  );
  const canEdit = isAdmin || isOwner;
  const groups = teamMembers(combo);

  const add = async () => {
    if (!picked) return;
    setBusy(true);
    setError(null);
    try {
      await addEdge(role, picked.id, combo.vertex.id);
      notify(`${picked.name} added to ${team} as ${roleTitle(role)}`);
      setPicked(null);
      onChanged();
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 409
          ? `${picked.name} already has the ${roleTitle(role)} role.`
          : (err as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };

  const remove = async (member: Connection) => {
    setBusy(true);
    setError(null);
    try {
      await deleteEdge(member.edge.id);
      notify(`${member.vertex.name} removed from ${roleTitle(member.edge.name)} in ${team}`);
      onChanged();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
      setRemoving(null);
    }
  };

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="members-title">
      <DialogTitle id="members-title">Members - {team}</DialogTitle>
      <DialogContent>
        {!canEdit && (
          <Alert severity="info" sx={{ mb: 2 }}>
            Only owners of {team} and administrators can change its members.
          </Alert>
        )}
        {canEdit && (
          <Box sx={{ mb: 2 }}>
            <Typography variant="subtitle2" gutterBottom>
              Add a user to a role
            </Typography>
            <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center' }}>
              <UserPicker value={picked} onChange={setPicked} />
              <FormControl size="small" sx={{ minWidth: 170 }}>
                <InputLabel id="role-label">Role</InputLabel>
                <Select
                  labelId="role-label"
                  label="Role"
                  value={role}
                  onChange={(e) => setRole(e.target.value)}
                >
                  {TEAM_ROLES.map((r) => (
                    <MenuItem key={r.name} value={r.name}>
                      {r.title}
                    </MenuItem>
                  ))}
                </Select>
              </FormControl>
              <Button variant="outlined" onClick={add} disabled={!picked || busy}>
                Add
              </Button>
            </Box>
            <Typography variant="caption" color="text.secondary">
              Lead Developer and Full Access members can generate and revoke the tokens of accounts
              the team owns.
            </Typography>
          </Box>
        )}
        {error && (
          <Alert severity="error" sx={{ mb: 2 }}>
            {error}
          </Alert>
        )}
        {groups.length === 0 && <Typography color="text.secondary">No members</Typography>}
        {groups.map((group) => (
          <Box key={group.role} sx={{ mb: 1 }}>
            <Typography variant="subtitle2">
              {group.title} ({group.items.length})
            </Typography>
            <List dense disablePadding>
              {group.items.map((member) => {
                const self = member.vertex.id === user.vertex;
                return (
                  <ListItem
                    key={member.edge.id}
                    data-testid="member-row"
                    secondaryAction={
                      canEdit && (
                        <Tooltip
                          title={
                            self
                              ? 'You cannot remove yourself; another owner or an administrator can.'
                              : `Remove ${member.vertex.name} from ${group.title}`
                          }
                        >
                          <span>
                            <IconButton
                              edge="end"
                              aria-label={`Remove ${member.vertex.name} from ${group.title}`}
                              disabled={self || busy}
                              onClick={() => setRemoving(member)}
                            >
                              <DeleteIcon />
                            </IconButton>
                          </span>
                        </Tooltip>
                      )
                    }
                  >
                    <ListItemText primary={member.vertex.name} />
                  </ListItem>
                );
              })}
            </List>
          </Box>
        ))}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
      <Dialog open={removing !== null} onClose={() => setRemoving(null)} maxWidth="xs">
        <DialogTitle>Remove member</DialogTitle>
        <DialogContent>
          <DialogContentText>
            Remove {removing?.vertex.name} from the {roleTitle(removing?.edge.name ?? '')} role in{' '}
            {team}?
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setRemoving(null)}>Cancel</Button>
          <Button
            color="error"
            variant="outlined"
            onClick={() => removing && void remove(removing)}
          >
            Remove
          </Button>
        </DialogActions>
      </Dialog>
    </Dialog>
  );
}
