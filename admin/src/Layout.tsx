import SecurityIcon from '@mui/icons-material/Security';
import { Alert, Button, ListItemIcon, ListItemText, MenuItem } from '@mui/material';
import { type ReactNode, useSyncExternalStore } from 'react';
import { AppBar, Layout, Logout, UserMenu, useUserMenu } from 'react-admin';
import { Link, useLocation } from 'react-router-dom';
import { subscribeMfaNotice, tokens } from './api';

export const MFA_PATH = '/two-factor';

function TwoFactorMenuItem() {
  const { onClose } = useUserMenu() ?? {};
  return (
    <MenuItem component={Link} to={MFA_PATH} onClick={onClose}>
      <ListItemIcon>
        <SecurityIcon fontSize="small" />
      </ListItemIcon>
      <ListItemText>Two-factor authentication</ListItemText>
    </MenuItem>
  );
}

function AdminAppBar() {
  return (
    <AppBar
      userMenu={
        <UserMenu>
          <TwoFactorMenuItem />
          <Logout />
        </UserMenu>
      }
    />
  );
}

/** Clinic policy requires MFA and this user has none yet (from the login answer): on every page until they enrol. */
function MfaNotice() {
  const required = useSyncExternalStore(subscribeMfaNotice, () => tokens.mfaEnrollmentRequired);
  const { pathname } = useLocation();
  if (!required || pathname.endsWith(MFA_PATH)) return null;
  return (
    <Alert
      severity="warning"
      role="region"
      aria-label="Two-factor authentication required"
      sx={{ mt: 2 }}
      action={
        <Button color="inherit" size="small" component={Link} to={MFA_PATH} sx={{ whiteSpace: 'nowrap' }}>
          Set up now
        </Button>
      }
    >
      Clinic policy requires two-factor authentication for your account. Set it up now: it takes a minute with an authenticator app on your
      phone.
    </Alert>
  );
}

export function AdminLayout({ children }: { children: ReactNode }) {
  return (
    <Layout appBar={AdminAppBar}>
      <MfaNotice />
      {children}
    </Layout>
  );
}
