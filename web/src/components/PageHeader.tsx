import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import { Box, IconButton, Tooltip, Typography } from '@mui/material';
import { useEffect, type ReactNode } from 'react';
import { Link as RouterLink } from 'react-router-dom';

export function PageHeader({
  title,
  subtitle,
  back,
  actions,
  docTitle,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  back?: { to: string; label: string };
  actions?: ReactNode;
  docTitle?: string;
}) {
  useEffect(() => {
    if (docTitle) document.title = `${docTitle} | Broker`;
  }, [docTitle]);
  return (
    <Box
      sx={{ display: 'flex', alignItems: 'center', gap: 1, mb: 2, flexWrap: 'wrap' }}
      component="header"
    >
      {back && (
        <Tooltip title={back.label}>
          <IconButton component={RouterLink} to={back.to} aria-label={back.label}>
            <ArrowBackIcon />
          </IconButton>
        </Tooltip>
      )}
      <Box sx={{ flexGrow: 1, minWidth: 0 }}>
        {subtitle && (
          <Typography variant="overline" color="text.secondary" component="div" lineHeight={1.5}>
            {subtitle}
          </Typography>
        )}
        <Typography variant="h5" component="h1" sx={{ wordBreak: 'break-word' }}>
          {title}
        </Typography>
      </Box>
      {actions && <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>{actions}</Box>}
    </Box>
  );
}
