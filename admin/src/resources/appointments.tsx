import EventBusyIcon from '@mui/icons-material/EventBusy';
import { Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import {
  AutocompleteInput,
  Button,
  Confirm,
  Create,
  DataTable,
  DateInput,
  Edit,
  EditButton,
  List,
  NumberInput,
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
  Toolbar,
  TopToolbar,
  useGetOne,
  useNotify,
  useRecordContext,
  useRefresh,
} from 'react-admin';
import { useWatch } from 'react-hook-form';
import { api } from '../api';
import { APPOINTMENT_MODES, APPOINTMENT_STATUSES, APPOINTMENT_TYPES } from '../choices';
import { clinicianName, patientName } from '../names';
import { useIsPhone } from '../responsive';
import { formatInZone } from '../time';

/** The appointment's time in its slot's zone (UTC, labelled, when booked without a slot). */
export function AppointmentWhen(_props: { label?: string; source?: string }) {
  const record = useRecordContext();
  const slotId = record?.appointment_slot as number | null | undefined;
  const { data: slot } = useGetOne('appointment-slots', { id: slotId ?? 0 }, { enabled: Boolean(slotId) });
  if (!record) return null;
  return (
    <Typography component="span" variant="body2">
      {formatInZone(record.dateandtime as string, (slot?.timezone as string | undefined) ?? 'UTC')}
    </Typography>
  );
}

const filters = [
  <SelectInput key="status" source="status" choices={APPOINTMENT_STATUSES} alwaysOn />,
  <ReferenceInput key="provider" source="provider" reference="clinician-users" sort={{ field: 'lastname', order: 'ASC' }}>
    <AutocompleteInput label="Provider" optionText={clinicianName} />
  </ReferenceInput>,
  <ReferenceInput key="patient" source="patient" reference="patients" sort={{ field: 'last_name', order: 'ASC' }}>
    <AutocompleteInput label="Patient" optionText={patientName} />
  </ReferenceInput>,
  <DateInput key="start" source="start" label="From date" />,
  <DateInput key="end" source="end" label="To date" />,
];

export function AppointmentList() {
  const isPhone = useIsPhone();
  return (
    <List filters={filters} empty={false} sort={{ field: 'dateandtime', order: 'DESC' }}>
      {isPhone ? (
        <SimpleList
          primaryText={<AppointmentWhen />}
          secondaryText={<ReferenceField source="patient" reference="patients" link={false} />}
          tertiaryText={(r) => String(r.status).replace(/_/g, ' ')}
          linkType="show"
        />
      ) : (
        <DataTable rowClick="show" bulkActionButtons={false}>
          <DataTable.Col source="dateandtime" label="When">
            <AppointmentWhen />
          </DataTable.Col>
          <DataTable.Col source="patient" disableSort>
            <ReferenceField source="patient" reference="patients" link="show" />
          </DataTable.Col>
          <DataTable.Col source="provider" disableSort>
            <ReferenceField source="provider" reference="clinician-users" link="show" />
          </DataTable.Col>
          <DataTable.Col source="appointment_type" label="Type" disableSort>
            <SelectField source="appointment_type" choices={APPOINTMENT_TYPES} />
          </DataTable.Col>
          <DataTable.Col source="status" disableSort>
            <SelectField source="status" choices={APPOINTMENT_STATUSES} />
          </DataTable.Col>
        </DataTable>
      )}
    </List>
  );
}

/** DELETE cancels (the record stays, its slot is freed); the page then shows the new status. */
function CancelAppointmentButton() {
  const record = useRecordContext();
  const notify = useNotify();
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!record || record.status === 'cancelled') return null;

  async function cancel() {
    setBusy(true);
    try {
      await api(`/api/appointments/${record?.id}/`, { method: 'DELETE' });
      notify('Appointment cancelled; its slot is free again.', { type: 'success' });
      refresh();
    } catch (error) {
      notify((error as Error).message || 'The appointment could not be cancelled.', { type: 'error' });
    } finally {
      setBusy(false);
      setOpen(false);
    }
  }

  return (
    <>
      <Button label="Cancel appointment" color="error" onClick={() => setOpen(true)} disabled={busy}>
        <EventBusyIcon />
      </Button>
      <Confirm
        isOpen={open}
        loading={busy}
        title="Cancel this appointment?"
        content="The appointment is kept as cancelled and its slot becomes free for booking."
        confirm="Cancel appointment"
        cancel="Keep it"
        onConfirm={cancel}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

export function AppointmentShow() {
  return (
    <Show
      actions={
        <TopToolbar>
          <EditButton />
          <CancelAppointmentButton />
        </TopToolbar>
      }
    >
      <SimpleShowLayout>
        <TextField source="id" />
        <AppointmentWhen label="When" />
        <ReferenceField source="patient" reference="patients" link="show" />
        <ReferenceField source="provider" reference="clinician-users" link="show" />
        <ReferenceField source="appointment_slot" reference="appointment-slots" link="show" label="Slot" emptyText="—" />
        <SelectField source="status" choices={APPOINTMENT_STATUSES} />
        <SelectField source="appointment_mode" label="Mode" choices={APPOINTMENT_MODES} />
        <SelectField source="appointment_type" label="Type" choices={APPOINTMENT_TYPES} />
        <TextField source="estimated_amount" label="Estimated amount" emptyText="—" />
        <TextField source="reason_for_visit" label="Reason for visit" />
        <TextField source="notes" />
      </SimpleShowLayout>
    </Show>
  );
}

interface SlotOption {
  id: number;
  dateandtime: string;
  timezone: string;
}

/** The chosen provider's free future slots, from /api/appointments/available_slots/. */
function FreeSlotInput() {
  const provider = useWatch({ name: 'provider' }) as number | null | undefined;
  const [slots, setSlots] = useState<SlotOption[]>([]);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (!provider) {
      setSlots([]);
      return;
    }
    let live = true;
    setLoading(true);
    api<SlotOption[] | { results: SlotOption[] }>(
      `/api/appointments/available_slots/?provider_id=${encodeURIComponent(String(provider))}&page_size=100`,
    )
      .then(({ json }) => {
        if (live) setSlots(Array.isArray(json) ? json : json.results);
      })
      .catch(() => {
        if (live) setSlots([]);
      })
      .finally(() => {
        if (live) setLoading(false);
      });
    return () => {
      live = false;
    };
  }, [provider]);

  const choices = slots.map((s) => ({ id: s.id, name: formatInZone(s.dateandtime, s.timezone) }));
  return (
    <SelectInput
      source="appointment_slot"
      label="Free slot"
      choices={choices}
      isLoading={loading}
      disabled={!provider}
      validate={required()}
      helperText={
        provider
          ? loading
            ? 'Loading free slots…'
            : choices.length === 0
              ? 'This provider has no free slots.'
              : false
          : 'Choose a provider first.'
      }
      fullWidth
    />
  );
}

function DetailsFields() {
  return (
    <>
      <SelectInput source="appointment_mode" label="Mode" choices={APPOINTMENT_MODES} validate={required()} />
      <SelectInput source="appointment_type" label="Type" choices={APPOINTMENT_TYPES} validate={required()} />
      <NumberInput source="estimated_amount" label="Estimated amount" step={0.01} min={0} />
      <TextInput source="reason_for_visit" label="Reason for visit" multiline fullWidth />
      <TextInput source="notes" multiline fullWidth />
    </>
  );
}

/** Money goes to the API as a decimal string ("125.00"). */
function moneyAsString(data: Record<string, unknown>) {
  const amount = data.estimated_amount;
  if (typeof amount === 'number') return { ...data, estimated_amount: amount.toFixed(2) };
  return data;
}

export function AppointmentCreate() {
  return (
    <Create redirect="show" transform={moneyAsString}>
      <SimpleForm defaultValues={{ appointment_mode: 'in_person', appointment_type: 'consultation' }}>
        <ReferenceInput source="patient" reference="patients" sort={{ field: 'last_name', order: 'ASC' }}>
          <AutocompleteInput label="Patient" optionText={patientName} validate={required()} fullWidth />
        </ReferenceInput>
        <ReferenceInput source="provider" reference="clinician-users" sort={{ field: 'lastname', order: 'ASC' }}>
          <AutocompleteInput label="Provider" optionText={clinicianName} validate={required()} fullWidth />
        </ReferenceInput>
        <FreeSlotInput />
        <DetailsFields />
      </SimpleForm>
    </Create>
  );
}

export function AppointmentEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="show" transform={moneyAsString}>
      <SimpleForm
        toolbar={
          <Toolbar>
            <SaveButton />
          </Toolbar>
        }
      >
        <SelectInput source="status" choices={APPOINTMENT_STATUSES} validate={required()} helperText="Cancelled frees the slot." />
        <DetailsFields />
      </SimpleForm>
    </Edit>
  );
}
