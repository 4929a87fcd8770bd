import { Typography } from '@mui/material';
import { useRecordContext } from 'react-admin';
import { formatInZone } from './time';

/**
 * An instant shown in a time zone: the record's own `timezone` field by default, or the zone
 * of the slot it points at. Appointments without a zone show UTC, labelled as such.
 */
export function ZonedDateField({ source, zoneSource = 'timezone' }: { source: string; zoneSource?: string; label?: string }) {
  const record = useRecordContext();
  if (!record) return null;
  const zone = typeof record[zoneSource] === 'string' && record[zoneSource] ? (record[zoneSource] as string) : 'UTC';
  return (
    <Typography component="span" variant="body2">
      {formatInZone(record[source] as string | undefined, zone)}
    </Typography>
  );
}
