import FavoriteIcon from '@mui/icons-material/Favorite';
import { Box, Tooltip, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { getHealth, type Health } from '../api';

const POLL_MS = 60_000;

const VIEW: Record<Health['status'], { label: string; color: string }> = {
  ok: { label: 'Online', color: '#66bb6a' },
  degraded: { label: 'Degraded', color: '#ffa726' },
  down: { label: 'Offline', color: '#ef5350' },
};

/** Server health, polled every minute; the state is always in the accessible name. */
export function HealthIndicator({ showLabel }: { showLabel: boolean }) {
  const [status, setStatus] = useState<Health['status'] | null>(null);

  useEffect(() => {
    let live = true;
    const poll = () =>
      getHealth().then(
        (health) => live && setStatus(health.status ?? 'down'),
        () => live && setStatus('down'),
      );
    void poll();
    const timer = window.setInterval(poll, POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);

  if (!status) return null;
  const view = VIEW[status] ?? VIEW.down;
  return (
    <Tooltip title={`Broker server: ${view.label}`}>
      <Box
        role="status"
        aria-label={`Server status: ${view.label}`}
        sx={{ display: 'flex', alignItems: 'center', gap: 0.5, px: 1 }}
      >
        <FavoriteIcon fontSize="small" sx={{ color: view.color }} />
        {showLabel && <Typography variant="body2">{view.label}</Typography>}
      </Box>
    </Tooltip>
  );
}
