import { Alert, Box, Button, Card, CardContent, CircularProgress, TextField as MuiTextField, Typography } from '@mui/material';
import { type FormEvent, useEffect, useState } from 'react';
import { Title } from 'react-admin';
import { Link } from 'react-router-dom';
import { api, tokens } from './api';

interface MfaStatus {
  enabled: boolean;
  pending: boolean;
  confirmed_at: string | null;
  recovery_codes_remaining: number;
  required: boolean;
}

interface Enrolment {
  secret: string;
  otpauth_uri: string;
}

/** The API's message, with the confirm step's 400 on `code` in plain words. */
function problem(error: unknown): string {
  const e = error as { status?: number; message?: string; body?: Record<string, unknown> | null };
  if (e.status === 400 && e.body && 'code' in e.body) return 'That code is wrong or has expired. Enter the code the app shows now.';
  if (e.status === 400 && Array.isArray(e.body?.non_field_errors)) return String(e.body.non_field_errors[0]);
  return e.message ?? 'Something went wrong. Please try again.';
}

/** The base32 key in groups of four, as authenticator apps show it when typed in by hand. */
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

function download(codes: string[]) {
  const text = `customehr recovery codes for ${tokens.user?.email ?? 'your account'}\nEach code works once.\n\n${codes.join('\n')}\n`;
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: 'customehr-recovery-codes.txt' });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * "Two-factor authentication": the signed-in user enrols an authenticator app (TOTP). The key is
 * shown once, as text (no QR image: that would need a library or an outside service), and kept
 * only in this page's memory; the recovery codes likewise.
 */
export function MfaSetup() {
  const [status, setStatus] = useState<MfaStatus | null>(null);
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api<MfaStatus>('/api/users/me/mfa/')
      .then(({ json }) => {
        if (!live) return;
        setStatus(json);
        if (json.enabled) tokens.setMfaEnrollmentRequired(false);
      })
      .catch((e: unknown) => live && setError(problem(e)));
    return () => {
      live = false;
    };
  }, []);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      setEnrolment((await api<Enrolment>('/api/users/me/mfa/', { method: 'POST' })).json);
      setCode('');
    } catch (e) {
      setError(problem(e));
    } finally {
      setBusy(false);
    }
  }

  async function confirm(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { json } = await api<{ recovery_codes: string[] }>('/api/users/me/mfa/confirm/', {
        method: 'POST',
        body: JSON.stringify({ code: code.replace(/\s/g, '') }),
      });
      setRecoveryCodes(json.recovery_codes);
      setEnrolment(null);
      setStatus((s) => (s ? { ...s, enabled: true, pending: false, recovery_codes_remaining: json.recovery_codes.length } : s));
      tokens.setMfaEnrollmentRequired(false);
    } catch (e) {
      setError(problem(e));
      setCode('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card sx={{ mt: 2, maxWidth: 720 }}>
      <Title title="Two-factor authentication" />
      <CardContent>
        <Typography variant="h6" component="h1" gutterBottom>
          Two-factor authentication
        </Typography>
        {error ? (
          <Alert severity="error" role="alert" sx={{ mb: 2 }}>
            {error}
          </Alert>
        ) : null}
        {!status && !error ? <CircularProgress size={24} aria-label="Loading" /> : null}

        {recoveryCodes ? (
          <>
            <Alert severity="success" role="status" sx={{ mb: 2 }}>
              Two-factor authentication is on. From now on you sign in with your password and a code from the app.
            </Alert>
            <Typography variant="body1" gutterBottom>
              Save these recovery codes somewhere safe, away from your phone. They are shown only this once. If you lose your phone, each
              code lets you sign in one time.
            </Typography>
            <Box component="ul" data-testid="recovery-codes" sx={{ fontFamily: 'monospace', fontSize: '1.1rem', columns: 2, pl: 3 }}>
              {recoveryCodes.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </Box>
            <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
              <Button variant="outlined" onClick={() => download(recoveryCodes)}>
                Download as a text file
              </Button>
              <Button variant="contained" component={Link} to="/">
                Done
              </Button>
            </Box>
          </>
        ) : enrolment ? (
          <Box component="form" onSubmit={confirm} aria-label="Confirm two-factor authentication">
            <Typography variant="body1" gutterBottom>
              1. In an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator or 1Password), add an
              account and type in this key. It is time-based, 6 digits, every 30 seconds.
            </Typography>
            <Typography
              data-testid="mfa-secret"
              aria-label="Setup key"
              sx={{ fontFamily: 'monospace', fontSize: '1.25rem', letterSpacing: 1, my: 1, wordBreak: 'break-all' }}
            >
              {grouped(enrolment.secret)}
            </Typography>
            <Typography variant="body2" color="text.secondary">
              Or, if your app or password manager takes a link, use this otpauth:// address:
            </Typography>
            <MuiTextField
              label="otpauth:// address"
              value={enrolment.otpauth_uri}
              fullWidth
              margin="dense"
              multiline
              slotProps={{ htmlInput: { readOnly: true, 'data-testid': 'mfa-otpauth-uri', spellCheck: false } }}
              onFocus={(e) => e.target.select()}
            />
            <Typography variant="body1" sx={{ mt: 2 }}>
              2. Enter the 6-digit code the app now shows for customehr.
            </Typography>
            <MuiTextField
              label="Code from the app"
              name="one-time-code"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              required
              margin="dense"
              slotProps={{
                htmlInput: { inputMode: 'numeric', pattern: '\\s*(\\d\\s*){6}', maxLength: 9, title: 'The 6 digits the app shows' },
              }}
            />
            <Box sx={{ display: 'flex', gap: 2, mt: 2 }}>
              <Button type="submit" variant="contained" disabled={busy}>
                {busy ? <CircularProgress size={22} /> : 'Turn on two-factor authentication'}
              </Button>
            </Box>
          </Box>
        ) : status?.enabled ? (
          <Alert severity="success" role="status">
            Two-factor authentication has been on
            {status.confirmed_at ? ` since ${new Date(status.confirmed_at).toLocaleDateString()}` : ''}. {status.recovery_codes_remaining}{' '}
            recovery code{status.recovery_codes_remaining === 1 ? '' : 's'} left. If you lose your phone, sign in with a recovery code, or
            ask another staff member to reset it.
          </Alert>
        ) : status ? (
          <>
            {status.required ? (
              <Alert severity="warning" sx={{ mb: 2 }}>
                Clinic policy requires two-factor authentication for your account.
              </Alert>
            ) : null}
            <Typography variant="body1" gutterBottom>
              With two-factor authentication, signing in needs your password and a 6-digit code from an app on your phone, so a stolen
              password alone does not open patient records.
              {status.pending ? ' You started setting it up earlier without finishing: start again to get a new key.' : ''}
            </Typography>
            <Button variant="contained" onClick={start} disabled={busy} sx={{ mt: 1 }}>
              {status.pending ? 'Start again' : 'Set up two-factor authentication'}
            </Button>
          </>
        ) : null}
      </CardContent>
    </Card>
  );
}
