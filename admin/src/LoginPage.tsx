import { Alert, Button, CardContent, CircularProgress, Link, TextField as MuiTextField, Typography } from '@mui/material';
import { type FormEvent, useState } from 'react';
import { Login, useLogin } from 'react-admin';
import { SecondFactorRequired, StartOver } from './authProvider';

/** After a right password, for a user with MFA: the short-lived token lives only in this state. */
interface Challenge {
  mfaToken: string;
  recovery: boolean;
}

/**
 * Email + password sign-in, then (for users with two-factor authentication) a code from the
 * authenticator app or a recovery code. The error (wrong credentials, wrong code, not staff,
 * locked) stays on screen; the password is dropped from memory as soon as it has been sent.
 */
export function LoginPage() {
  const login = useLogin();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function startOver(message: string | null) {
    setChallenge(null);
    setCode('');
    setError(message);
  }

  async function submitPassword(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login({ email, password });
    } catch (e) {
      if (e instanceof SecondFactorRequired) setChallenge({ mfaToken: e.mfaToken, recovery: false });
      else setError(e instanceof Error ? e.message : 'Sign-in failed.');
    } finally {
      setPassword('');
      setBusy(false);
    }
  }

  async function submitCode(event: FormEvent) {
    event.preventDefault();
    if (!challenge) return;
    setBusy(true);
    setError(null);
    try {
      await login({ mfaToken: challenge.mfaToken, code });
    } catch (e) {
      if (e instanceof StartOver) startOver(e.message);
      else {
        setError(e instanceof Error ? e.message : 'Sign-in failed.');
        setCode('');
      }
    } finally {
      setBusy(false);
    }
  }

  function toggleRecovery() {
    if (!challenge) return;
    setChallenge({ ...challenge, recovery: !challenge.recovery });
    setCode('');
    setError(null);
  }

  const alert = error ? (
    <Alert severity="error" role="alert" sx={{ mb: 2 }}>
      {error}
    </Alert>
  ) : null;

  if (challenge) {
    return (
      <Login>
        <CardContent component="form" onSubmit={submitCode} sx={{ minWidth: 280, maxWidth: 360 }} aria-label="Two-factor code">
          <Typography variant="h6" component="h1" align="center" gutterBottom>
            Two-factor sign-in
          </Typography>
          {alert}
          <Typography variant="body2" sx={{ mb: 1 }}>
            {challenge.recovery
              ? 'Enter one of the recovery codes you saved when you set up two-factor authentication. Each code works once.'
              : `Enter the 6-digit code from the authenticator app for ${email}.`}
          </Typography>
          {challenge.recovery ? (
            <MuiTextField
              key="recovery"
              label="Recovery code"
              name="recovery-code"
              autoComplete="off"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              required
              fullWidth
              margin="dense"
              autoFocus
              slotProps={{ htmlInput: { maxLength: 32, spellCheck: false, autoCapitalize: 'none' } }}
            />
          ) : (
            <MuiTextField
              key="totp"
              label="Authentication code"
              name="one-time-code"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              required
              fullWidth
              margin="dense"
              autoFocus
              slotProps={{
                htmlInput: { inputMode: 'numeric', pattern: '\\s*(\\d\\s*){6}', maxLength: 9, title: 'The 6 digits the app shows' },
              }}
            />
          )}
          <Button type="submit" variant="contained" fullWidth sx={{ mt: 2 }} disabled={busy}>
            {busy ? <CircularProgress size={22} /> : 'Verify'}
          </Button>
          <Typography variant="body2" align="center" sx={{ mt: 2, display: 'flex', flexDirection: 'column', gap: 1 }}>
            <Link component="button" type="button" onClick={toggleRecovery}>
              {challenge.recovery ? 'Use the authenticator app instead' : 'Use a recovery code instead'}
            </Link>
            <Link component="button" type="button" onClick={() => startOver(null)}>
              Back to email and password
            </Link>
          </Typography>
        </CardContent>
      </Login>
    );
  }

  return (
    <Login>
      <CardContent component="form" onSubmit={submitPassword} sx={{ minWidth: 280, maxWidth: 360 }} aria-label="Sign in">
        <Typography variant="h6" component="h1" align="center" gutterBottom>
          customehr staff sign-in
        </Typography>
        {alert}
        <MuiTextField
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
          fullWidth
          margin="dense"
          autoFocus
        />
        <MuiTextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          fullWidth
          margin="dense"
        />
        <Button type="submit" variant="contained" fullWidth sx={{ mt: 2 }} disabled={busy}>
          {busy ? <CircularProgress size={22} /> : 'Sign in'}
        </Button>
      </CardContent>
    </Login>
  );
}
