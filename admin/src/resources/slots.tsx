import { Alert, Box, Card, CardContent, Typography } from '@mui/material';
import { useState } from 'react';
import {
  AutocompleteInput,
  BooleanField,
  BooleanInput,
  Button,
  CheckboxGroupInput,
  Create,
  CreateButton,
  DataTable,
  DateInput,
  DeleteButton,
  Edit,
  EditButton,
  ExportButton,
  FilterButton,
  Form,
  List,
  minValue,
  NumberInput,
  type RaRecord,
  ReferenceField,
  ReferenceInput,
  required,
  SaveButton,
  SelectField,
  SelectInput,
  Show,
  SimpleForm,
  SimpleList,
  SimpleShowLayout,
  TextField,
  TextInput,
  Title,
  Toolbar,
  TopToolbar,
  useNotify,
} from 'react-admin';
import { Link } from 'react-router-dom';
import { api } from '../api';
import { TIMEZONES, WEEKDAYS } from '../choices';
import { ZonedDateField } from '../fields';
import { clinicianName } from '../names';
import { useIsPhone } from '../responsive';
import { formatInZone, isoToZoned, localDate, zonedToIso } from '../time';

const providerInput = (source: string, alwaysOn = false) => (
  <ReferenceInput key={source} source={source} reference="clinician-users" sort={{ field: 'lastname', order: 'ASC' }} alwaysOn={alwaysOn}>
    <AutocompleteInput label="Provider" optionText={clinicianName} />
  </ReferenceInput>
);

const filters = [
  providerInput('provider', true),
  <SelectInput
    key="is_available"
    source="is_available"
    label="Availability"
    choices={[
      { id: 'true', name: 'Free' },
      { id: 'false', name: 'Booked' },
    ]}
  />,
  <DateInput key="start" source="start" label="From date" />,
  <DateInput key="end" source="end" label="To date" />,
];

function SlotListActions() {
  return (
    <TopToolbar>
      <FilterButton />
      <Button component={Link} to="/appointment-slots/bulk" label="Recurring slots" />
      <CreateButton />
      <ExportButton />
    </TopToolbar>
  );
}

export function SlotList() {
  const isPhone = useIsPhone();
  return (
    <List filters={filters} actions={<SlotListActions />} empty={false} sort={{ field: 'dateandtime', order: 'ASC' }}>
      {isPhone ? (
        <SimpleList
          primaryText={(r) => formatInZone(r.dateandtime, r.timezone)}
          secondaryText={<ReferenceField source="provider" reference="clinician-users" link={false} />}
          tertiaryText={(r) => (r.is_available ? 'free' : 'booked')}
          linkType="show"
        />
      ) : (
        <DataTable rowClick="show" bulkActionButtons={false}>
          <DataTable.Col source="dateandtime" label="When (slot's time zone)">
            <ZonedDateField source="dateandtime" />
          </DataTable.Col>
          <DataTable.Col source="provider">
            <ReferenceField source="provider" reference="clinician-users" link="show" />
          </DataTable.Col>
          <DataTable.Col source="day" disableSort>
            <SelectField source="day" choices={WEEKDAYS} />
          </DataTable.Col>
          <DataTable.Col source="timezone" label="Time zone" disableSort />
          <DataTable.Col source="is_available" label="Free" disableSort>
            <BooleanField source="is_available" />
          </DataTable.Col>
        </DataTable>
      )}
    </List>
  );
}

export function SlotShow() {
  return (
    <Show
      actions={
        <TopToolbar>
          <EditButton />
        </TopToolbar>
      }
    >
      <SimpleShowLayout>
        <TextField source="id" />
        <ReferenceField source="provider" reference="clinician-users" link="show" />
        <ZonedDateField source="dateandtime" label="When (slot's time zone)" />
        <TextField source="timezone" label="Time zone" />
        <SelectField source="day" choices={WEEKDAYS} />
        <BooleanField source="is_available" label="Free" />
      </SimpleShowLayout>
    </Show>
  );
}

/** The date and time inputs are wall-clock time in the slot's zone; the API stores the instant. */
function toApi(data: Record<string, unknown>) {
  const { _date, _time, ...rest } = data;
  const zone = typeof rest.timezone === 'string' && rest.timezone ? rest.timezone : 'UTC';
  if (typeof _date === 'string' && _date && typeof _time === 'string' && _time) {
    rest.dateandtime = zonedToIso(_date, _time, zone);
  }
  // `day` is derived by the server from the instant in the slot's zone.
  delete rest.day;
  return rest;
}

function withWallTime(record: RaRecord): RaRecord {
  if (typeof record.dateandtime !== 'string') return record;
  const { date, time } = isoToZoned(record.dateandtime, (record.timezone as string) || 'UTC');
  // One spelling of the instant, so an untouched time is not sent back as a "change".
  return { ...record, dateandtime: new Date(record.dateandtime).toISOString(), _date: date, _time: time };
}

function SlotFields() {
  return (
    <>
      <ReferenceInput source="provider" reference="clinician-users" sort={{ field: 'lastname', order: 'ASC' }}>
        <AutocompleteInput label="Provider" optionText={clinicianName} validate={required()} fullWidth />
      </ReferenceInput>
      <SelectInput source="timezone" label="Time zone" choices={TIMEZONES} validate={required()} />
      <Box sx={{ display: 'flex', flexWrap: 'wrap', columnGap: 2 }}>
        <DateInput source="_date" label="Date (in that zone)" validate={required()} />
        <TextInput source="_time" label="Time (in that zone)" type="time" validate={required()} />
      </Box>
      <BooleanInput source="is_available" label="Free for booking" />
    </>
  );
}

export function SlotCreate() {
  return (
    <Create redirect="show" transform={toApi}>
      <SimpleForm defaultValues={{ timezone: 'UTC', is_available: true }}>
        <SlotFields />
      </SimpleForm>
    </Create>
  );
}

export function SlotEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="show" transform={toApi} queryOptions={{ select: withWallTime }}>
      <SimpleForm
        toolbar={
          <Toolbar sx={{ justifyContent: 'space-between' }}>
            <SaveButton />
            <DeleteButton mutationMode="pessimistic" />
          </Toolbar>
        }
      >
        <SlotFields />
      </SimpleForm>
    </Edit>
  );
}

interface BulkResult {
  created: number;
  skipped: number;
}

/** "Recurring slots": one POST to /api/appointment-slots/bulk/ for weeks of slots. */
export function BulkSlots() {
  const notify = useNotify();
  const [result, setResult] = useState<BulkResult | null>(null);
  const today = localDate(new Date());

  async function submit(values: Record<string, unknown>) {
    setResult(null);
    try {
      const { json } = await api<BulkResult>('/api/appointment-slots/bulk/', {
        method: 'POST',
        body: JSON.stringify({
          provider: values.provider,
          timezone: values.timezone,
          weekdays: values.weekdays,
          start_time: values.start_time,
          end_time: values.end_time,
          slot_minutes: values.slot_minutes,
          start_date: values.start_date,
          end_date: values.end_date,
        }),
      });
      setResult({ created: json.created, skipped: json.skipped });
      notify(`Created ${json.created}, skipped ${json.skipped}.`, { type: 'success' });
      return undefined;
    } catch (error) {
      const e = error as { body?: { errors?: Record<string, unknown> }; message?: string };
      if (e.body?.errors && Object.keys(e.body.errors).length > 0) return e.body.errors;
      notify(e.message ?? 'The slots could not be created.', { type: 'error' });
      return undefined;
    }
  }

  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Recurring slots" />
      <CardContent>
        <Typography variant="h6" gutterBottom>
          Recurring slots
        </Typography>
        <Typography variant="body2" color="text.secondary" gutterBottom>
          Times are local to the chosen time zone. Slots that already exist are skipped.
        </Typography>
        <Form
          onSubmit={submit}
          defaultValues={{ timezone: 'UTC', weekdays: [], start_time: '09:00', end_time: '12:00', slot_minutes: 30, start_date: today }}
        >
          <ReferenceInput source="provider" reference="clinician-users" sort={{ field: 'lastname', order: 'ASC' }}>
            <AutocompleteInput label="Provider" optionText={clinicianName} validate={required()} fullWidth />
          </ReferenceInput>
          <SelectInput source="timezone" label="Time zone" choices={TIMEZONES} validate={required()} />
          <CheckboxGroupInput source="weekdays" choices={WEEKDAYS} validate={required('Choose at least one weekday.')} />
          <Box sx={{ display: 'flex', flexWrap: 'wrap', columnGap: 2 }}>
            <TextInput source="start_time" label="From (time)" type="time" validate={required()} />
            <TextInput source="end_time" label="Until (time)" type="time" validate={required()} />
            <NumberInput source="slot_minutes" label="Minutes per slot" validate={[required(), minValue(5)]} />
          </Box>
          <Box sx={{ display: 'flex', flexWrap: 'wrap', columnGap: 2 }}>
            <DateInput source="start_date" label="First date" validate={required()} />
            <DateInput source="end_date" label="Last date" validate={required()} />
          </Box>
          <SaveButton label="Create slots" alwaysEnable />
        </Form>
        {result ? (
          <Alert severity="success" sx={{ mt: 2 }} role="status">
            Created {result.created}, skipped {result.skipped}.
          </Alert>
        ) : null}
      </CardContent>
    </Card>
  );
}
