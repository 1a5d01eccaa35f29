import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
} from '@mui/material';
import { useState } from 'react';

export interface RevokeDialogProps {
  open: boolean;
  accountName: string;
  /** A single token to revoke; when absent, every active token of the account. */
  jti?: string | null;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

/** Confirms a revocation; says plainly that it is immediate and cannot be undone. */
export function RevokeDialog({ open, accountName, jti, onConfirm, onClose }: RevokeDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" aria-labelledby="revoke-title">
      <DialogTitle id="revoke-title">{jti ? 'Revoke this token?' : 'Revoke Token'}</DialogTitle>
      <DialogContent>
        {jti ? (
          <DialogContentText gutterBottom>
            Token <code>{jti}</code> of {accountName} will be blocked immediately. Anything still
            using it loses access at once.
          </DialogContentText>
        ) : (
          <DialogContentText gutterBottom>
            Every active token of {accountName} will be blocked immediately, including a previous
            token still in its one-hour grace period. Anything using them loses access until a new
            token is generated.
          </DialogContentText>
        )}
        <Alert severity="warning">This action is immediate and cannot be undone.</Alert>
        {error && (
          <Alert severity="error" sx={{ mt: 2 }} role="alert">
            Nothing was revoked: {error}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button color="error" variant="contained" onClick={confirm} disabled={busy}>
          {jti ? 'Revoke this token' : 'Revoke Token'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
