import { Alert, Button, CardContent, CircularProgress, TextField as MuiTextField, Typography } from '@mui/material';
import { type FormEvent, useState } from 'react';
import { Login, useLogin } from 'react-admin';

/** Email + password sign-in; the error (wrong credentials, not staff) stays on screen. */
export function LoginPage() {
  const login = useLogin();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login({ email, password });
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Sign-in failed.');
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Login>
      <CardContent component="form" onSubmit={submit} sx={{ minWidth: 280, maxWidth: 360 }} aria-label="Sign in">
        <Typography variant="h6" component="h1" align="center" gutterBottom>
          customehr staff sign-in
        </Typography>
        {error ? (
          <Alert severity="error" role="alert" sx={{ mb: 2 }}>
            {error}
          </Alert>
        ) : null}
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
