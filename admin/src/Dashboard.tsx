import { Box, Card, CardContent, ListItemButton, ListItemText, List as MuiList, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { RecordContextProvider, ReferenceField, Title, useAuthenticated, useGetList } from 'react-admin';
import { Link } from 'react-router-dom';
import { count } from './dataProvider';
import { AppointmentWhen } from './resources/appointments';
import { dayBounds, weekBounds } from './time';

interface Counts {
  patients: number | null;
  clinicians: number | null;
  freeSlots: number | null;
}

function Stat({ label, value, to }: { label: string; value: number | null; to: string }) {
  return (
    <Card sx={{ flex: '1 1 180px' }}>
      <CardContent component={Link} to={to} sx={{ display: 'block', color: 'inherit', textDecoration: 'none' }} aria-label={label}>
        <Typography variant="body2" color="text.secondary">
          {label}
        </Typography>
        <Typography variant="h4" component="p" data-testid={`stat-${to.replace(/\W/g, '')}`}>
          {value ?? '…'}
        </Typography>
      </CardContent>
    </Card>
  );
}

/**
 * react-admin mounts the dashboard without waiting for its auth check (`requireAuth` is off: it
 * made signed-out deep links bounce between routes), so a signed-out visitor's dashboard fetched
 * its data in a loop of 401s. It now waits for checkAuth, which sends a signed-out visitor to the
 * sign-in form, and only a signed-in session fetches.
 */
export function Dashboard() {
  const { authenticated, isPending } = useAuthenticated();
  if (isPending || !authenticated) return null;
  return <SignedInDashboard />;
}

/** Home: today's appointments and a few counts (the `count` of a one-row page). */
function SignedInDashboard() {
  // Fixed at mount: a re-render must not move the window (and refetch).
  const [today] = useState(() => dayBounds(new Date()));
  // Free slots still bookable this week: from now until Sunday night.
  const [{ weekStart, weekEnd }] = useState(() => ({ weekStart: new Date().toISOString(), weekEnd: weekBounds(new Date()).end }));
  const [counts, setCounts] = useState<Counts>({ patients: null, clinicians: null, freeSlots: null });

  useEffect(() => {
    let live = true;
    const settle = (p: Promise<number>) => p.catch(() => null);
    void Promise.all([
      settle(count('patients')),
      settle(count('clinician-users')),
      settle(count('appointment-slots', { is_available: true, start: weekStart, end: weekEnd })),
    ]).then(([patients, clinicians, freeSlots]) => {
      if (live) setCounts({ patients, clinicians, freeSlots });
    });
    return () => {
      live = false;
    };
  }, [weekStart, weekEnd]);

  const {
    data: appointments,
    total,
    isPending,
    error,
  } = useGetList('appointments', {
    pagination: { page: 1, perPage: 50 },
    sort: { field: 'dateandtime', order: 'ASC' },
    filter: { start: today.start, end: today.end },
  });

  return (
    <Box sx={{ mt: 2, display: 'flex', flexDirection: 'column', gap: 2 }}>
      <Title title="customehr admin" />
      <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2 }}>
        <Stat label="Patients" value={counts.patients} to="/patients" />
        <Stat label="Clinicians" value={counts.clinicians} to="/clinician-users" />
        <Stat label="Free slots this week" value={counts.freeSlots} to="/appointment-slots" />
      </Box>
      <Card>
        <CardContent>
          <Typography variant="h6" component="h2">
            Today's appointments {total !== undefined ? `(${total})` : ''}
          </Typography>
          {isPending ? <Typography variant="body2">Loading…</Typography> : null}
          {error ? <Typography color="error">{(error as Error).message}</Typography> : null}
          {!isPending && !error && appointments?.length === 0 ? <Typography variant="body2">No appointments today.</Typography> : null}
          <MuiList dense>
            {appointments?.map((a) => (
              <RecordContextProvider key={a.id} value={a}>
                <ListItemButton component={Link} to={`/appointments/${a.id}/show`}>
                  <ListItemText
                    primary={<AppointmentWhen />}
                    secondary={
                      <>
                        <ReferenceField source="patient" reference="patients" link={false} />
                        {' with '}
                        <ReferenceField source="provider" reference="clinician-users" link={false} />
                        {` · ${String(a.status).replace(/_/g, ' ')}`}
                      </>
                    }
                  />
                </ListItemButton>
              </RecordContextProvider>
            ))}
          </MuiList>
        </CardContent>
      </Card>
    </Box>
  );
}
