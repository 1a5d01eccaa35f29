import { Button, Card, CardContent, Typography } from '@mui/material';
import { Link as RouterLink } from 'react-router-dom';

export function NotFoundPage({ message }: { message?: string }) {
  return (
    <Card sx={{ maxWidth: 560, mx: 'auto', mt: 4 }}>
      <CardContent>
        <Typography variant="h5" component="h1" gutterBottom>
          Page not found
        </Typography>
        <Typography color="text.secondary" gutterBottom>
          {message ?? 'Nothing exists at this address.'}
        </Typography>
        <Button component={RouterLink} to="/" variant="outlined">
          Go to home
        </Button>
      </CardContent>
    </Card>
  );
}
