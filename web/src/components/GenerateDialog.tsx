import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormLabel,
  Radio,
  RadioGroup,
  TextField,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import { DEFAULT_EXPIRY_SECONDS, EXPIRY_CHOICES, generateToken } from '../api';

export interface GenerateDialogProps {
  open: boolean;
  accountId: string;
  accountName: string;
  clientId: string;
  /** Whether a token exists already, so this is a renewal. */
  renewing: boolean;
  /** Projects and services the account is connected to ("fluent-bit (Service)"), if known. */
  connected?: string[];
  onClose: () => void;
  onGenerated: () => void;
}

const COPY_TIMEOUT_MS = 3000;

/** Copies to the clipboard; false when refused, unavailable or stuck (no focus). */
async function copyText(text: string): Promise<boolean> {
  try {
    const timeout = new Promise<never>((_, reject) =>
      window.setTimeout(() => reject(new Error('timeout')), COPY_TIMEOUT_MS),
    );
    await Promise.race([navigator.clipboard.writeText(text), timeout]);
    return true;
  } catch {
    return false;
  }
}

function Explanation({
  clientId,
  renewing,
  connected,
}: {
  clientId: string;
  renewing: boolean;
  connected?: string[];
}) {
  return (
    <>
      <DialogContentText gutterBottom>
        {renewing
          ? 'Generating a new token renews access for this account.'
          : 'Generate the first token for this account.'}{' '}
        Renewal works the same way at any time: the previous token keeps working for one hour after
        the new one is issued (unless it expires sooner), then it is blocked. Only two tokens are
        ever active.
      </DialogContentText>
      <DialogContentText gutterBottom>
        The token is saved in the Vault tools space (
        <code>tools/&lt;project&gt;/&lt;service&gt;</code>) of every service connected to this
        account, under the key <code>broker-jwt:{clientId}</code> — even if Vault is not enabled for
        that service. From there it can be synchronised to the services&apos; GitHub repositories as
        an Actions secret.
      </DialogContentText>
      {connected && (
        <DialogContentText gutterBottom data-testid="generate-destinations">
          {connected.length > 0
            ? `This account is connected to: ${connected.join(', ')}.`
            : 'This account is connected to no project or service, so the token will not be stored anywhere.'}
        </DialogContentText>
      )}
    </>
  );
}

/**
 * The generate/renew dialog. The token returned by the server lives only in this
 * component's state and is dropped when the dialog closes.
 */
export function GenerateDialog(props: GenerateDialogProps) {
  const { open, accountId, accountName, clientId, renewing, connected, onClose, onGenerated } =
    props;
  const [expiration, setExpiration] = useState<number>(DEFAULT_EXPIRY_SECONDS);
  const [vault, setVault] = useState(true);
  const [github, setGithub] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [token, setToken] = useState<string | null>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  const [confirmClose, setConfirmClose] = useState(false);

  const reset = () => {
    setToken(null);
    setCopied(null);
    setError(null);
    setBusy(false);
    setConfirmClose(false);
    setExpiration(DEFAULT_EXPIRY_SECONDS);
    setVault(true);
    setGithub(true);
  };

  const close = () => {
    reset();
    onClose();
  };

  const requestClose = () => {
    if (token) setConfirmClose(true);
    else close();
  };

  const generate = async () => {
    setBusy(true);
    setError(null);
    try {
      const value = await generateToken(accountId, {
        expirationSeconds: expiration,
        vault,
        github,
      });
      setToken(value);
      onGenerated();
    } catch (err) {
      setError(`The token was not generated: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={requestClose}
      fullWidth
      maxWidth="sm"
      aria-labelledby="generate-title"
    >
      <DialogTitle id="generate-title">Generate / renew token — {accountName}</DialogTitle>
      <DialogContent>
        {!token && (
          <>
            <Explanation clientId={clientId} renewing={renewing} connected={connected} />
            <FormControl sx={{ mt: 1 }}>
              <FormLabel id="expiry-label">Expires after</FormLabel>
              <RadioGroup
                row
                aria-labelledby="expiry-label"
                value={String(expiration)}
                onChange={(e) => setExpiration(Number(e.target.value))}
              >
                {EXPIRY_CHOICES.map((choice) => (
                  <FormControlLabel
                    key={choice.seconds}
                    value={String(choice.seconds)}
                    control={<Radio />}
                    label={choice.label}
                  />
                ))}
              </RadioGroup>
            </FormControl>
            <Box sx={{ display: 'flex', flexDirection: 'column' }}>
              <FormControlLabel
                control={<Checkbox checked={vault} onChange={(e) => setVault(e.target.checked)} />}
                label="Save to the Vault tools space of each connected service"
              />
              <FormControlLabel
                control={
                  <Checkbox
                    checked={vault && github}
                    disabled={!vault}
                    onChange={(e) => setGithub(e.target.checked)}
                  />
                }
                label="Sync to the connected GitHub repositories"
              />
            </Box>
          </>
        )}
        {error && (
          <Alert severity="error" sx={{ mt: 2 }} role="alert">
            {error}
          </Alert>
        )}
        {token && (
          <Box>
            <Alert severity="warning" sx={{ mb: 2 }}>
              Copy this token now. It will not be shown again. Treat it as a secret: anyone who has
              it can act as {accountName}.
            </Alert>
            <TextField
              label="Token"
              value={token}
              fullWidth
              multiline
              minRows={4}
              InputProps={{ readOnly: true, sx: { fontFamily: 'monospace', fontSize: 13 } }}
              inputProps={{ 'data-testid': 'generated-token', spellCheck: false }}
              onFocus={(e) => e.target.select()}
            />
            <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mt: 1 }}>
              <Button
                variant="contained"
                startIcon={<ContentCopyIcon />}
                onClick={async () => setCopied(await copyText(token))}
              >
                Copy
              </Button>
              {copied === true && (
                <Typography role="status" color="success.main">
                  Copied to the clipboard.
                </Typography>
              )}
              {copied === false && (
                <Typography role="status" color="error">
                  Could not copy; select the text and copy it by hand.
                </Typography>
              )}
            </Box>
          </Box>
        )}
        {confirmClose && (
          <Alert
            severity="error"
            sx={{ mt: 2 }}
            role="alertdialog"
            aria-label="Confirm closing"
            action={
              <Box sx={{ display: 'flex', gap: 1 }}>
                <Button color="inherit" size="small" onClick={() => setConfirmClose(false)}>
                  Go back
                </Button>
                <Button color="inherit" size="small" variant="outlined" onClick={close}>
                  Close anyway
                </Button>
              </Box>
            }
          >
            Have you copied the token? Once closed, it cannot be shown again.
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        {!token && (
          <>
            <Button onClick={close}>Cancel</Button>
            <Button variant="contained" onClick={generate} disabled={busy}>
              Generate
            </Button>
          </>
        )}
        {token && !confirmClose && <Button onClick={requestClose}>Close</Button>}
      </DialogActions>
    </Dialog>
  );
}
