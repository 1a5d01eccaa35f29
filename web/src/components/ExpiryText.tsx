import { Box, Typography } from '@mui/material';
import { expiresInText, expirySeverity, expToDate, formatDateTime } from '../lib/format';

/** An expiry date followed by "expires in N days", in the warning colour under 7 days. */
export function ExpiryText({ exp, now }: { exp: number; now?: Date }) {
  const date = expToDate(exp);
  const severity = expirySeverity(date, now);
  const color =
    severity === 'ok' ? 'text.secondary' : severity === 'warning' ? 'warning.dark' : 'error.main';
  return (
    <Box component="span" data-severity={severity}>
      {formatDateTime(date)}{' '}
      <Typography
        component="span"
        variant="body2"
        sx={{ color, fontWeight: severity === 'ok' ? 400 : 600 }}
      >
        ({expiresInText(date, now)})
      </Typography>
    </Box>
  );
}
