import PhonelinkEraseIcon from '@mui/icons-material/PhonelinkErase';
import { useState } from 'react';
import {
  AutocompleteInput,
  BooleanField,
  BooleanInput,
  Button,
  Confirm,
  Create,
  DataTable,
  DateField,
  Edit,
  EditButton,
  EmailField,
  email as emailValidator,
  FormDataConsumer,
  List,
  minLength,
  PasswordInput,
  ReferenceField,
  ReferenceInput,
  required,
  SaveButton,
  SearchInput,
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
  useNotify,
  useRecordContext,
} from 'react-admin';
import { api } from '../api';
import { USER_ROLES, USER_TYPES } from '../choices';
import { clinicianName, patientName } from '../names';
import { useIsPhone } from '../responsive';

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Search name or email" />,
  <SelectInput key="user_type" source="user_type" choices={USER_TYPES} label="User type" />,
  <SelectInput key="role" source="role" choices={USER_ROLES.filter((c) => c.id !== '')} label="Role" />,
  <SelectInput
    key="status"
    source="status"
    label="Status"
    choices={[
      { id: 'true', name: 'Active' },
      { id: 'false', name: 'Inactive' },
    ]}
  />,
];

export function UserList() {
  const isPhone = useIsPhone();
  return (
    <List filters={filters} sort={{ field: 'name', order: 'ASC' }}>
      {isPhone ? (
        <SimpleList
          primaryText={(r) => r.name}
          secondaryText={(r) => r.email}
          tertiaryText={(r) => `${r.user_type}${r.status ? '' : ' (inactive)'}`}
          linkType="show"
        />
      ) : (
        <DataTable rowClick="show" bulkActionButtons={false}>
          <DataTable.Col source="name" />
          <DataTable.Col source="email">
            <EmailField source="email" />
          </DataTable.Col>
          <DataTable.Col source="user_type" label="Type">
            <SelectField source="user_type" choices={USER_TYPES} />
          </DataTable.Col>
          <DataTable.Col source="role" disableSort>
            <SelectField source="role" choices={USER_ROLES} />
          </DataTable.Col>
          <DataTable.Col source="status" label="Active" disableSort>
            <BooleanField source="status" />
          </DataTable.Col>
          <DataTable.Col source="last_login" label="Last sign-in">
            <DateField source="last_login" showTime />
          </DataTable.Col>
        </DataTable>
      )}
    </List>
  );
}

/**
 * For a lost phone: removes the user's authenticator and recovery codes, so they sign in with
 * the password alone and enrol again. The API does not say whether another user has MFA, so
 * the button is always there and the dialog says what it does.
 */
function ResetMfaButton() {
  const record = useRecordContext();
  const notify = useNotify();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!record) return null;

  async function reset() {
    setBusy(true);
    try {
      await api(`/api/users/${record?.id}/mfa/reset/`, { method: 'POST' });
      notify('Two-factor authentication reset: they sign in with their password and set it up again.', { type: 'success' });
    } catch (error) {
      notify((error as Error).message || 'Two-factor authentication could not be reset.', { type: 'error' });
    } finally {
      setBusy(false);
      setOpen(false);
    }
  }

  return (
    <>
      <Button label="Reset two-factor" onClick={() => setOpen(true)} disabled={busy}>
        <PhonelinkEraseIcon />
      </Button>
      <Confirm
        isOpen={open}
        loading={busy}
        title="Reset two-factor authentication?"
        content="For a lost or replaced phone. Their authenticator and recovery codes stop working; they sign in with the password alone and set up two-factor authentication again. Check that the request really comes from them."
        confirm="Reset two-factor"
        cancel="Keep it"
        onConfirm={reset}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

export function UserShow() {
  return (
    <Show
      actions={
        <TopToolbar>
          <EditButton />
          <ResetMfaButton />
        </TopToolbar>
      }
    >
      <SimpleShowLayout>
        <TextField source="id" />
        <TextField source="name" />
        <EmailField source="email" />
        <TextField source="contactnumber" label="Contact number" />
        <SelectField source="user_type" choices={USER_TYPES} label="User type" />
        <SelectField source="role" choices={USER_ROLES} />
        <BooleanField source="status" label="Active" />
        <ReferenceField source="linked_patient" reference="patients" label="Linked patient" emptyText="—">
          <TextField source="last_name" />
        </ReferenceField>
        <ReferenceField source="linked_clinician" reference="clinician-users" label="Linked clinician" emptyText="—">
          <TextField source="lastname" />
        </ReferenceField>
        <DateField source="date_joined" showTime label="Joined" />
        <DateField source="last_login" showTime label="Last sign-in" emptyText="never" />
      </SimpleShowLayout>
    </Show>
  );
}

/** The link input matching the chosen user type: a searchable list of patients or clinicians. */
function LinkInputs() {
  return (
    <FormDataConsumer<{ user_type?: string }>>
      {({ formData }) => {
        if (formData.user_type === 'patient') {
          return (
            <ReferenceInput source="linked_patient" reference="patients" sort={{ field: 'last_name', order: 'ASC' }}>
              <AutocompleteInput
                label="Linked patient"
                optionText={patientName}
                validate={required('A patient user needs a linked patient.')}
                fullWidth
              />
            </ReferenceInput>
          );
        }
        if (formData.user_type === 'provider') {
          return (
            <ReferenceInput source="linked_clinician" reference="clinician-users" sort={{ field: 'lastname', order: 'ASC' }}>
              <AutocompleteInput
                label="Linked clinician"
                optionText={clinicianName}
                validate={required('A provider user needs a linked clinician.')}
                fullWidth
              />
            </ReferenceInput>
          );
        }
        return null;
      }}
    </FormDataConsumer>
  );
}

/** Only the link that fits the type is sent: a staff user has neither. */
function transformLinks(data: Record<string, unknown>) {
  const out = { ...data };
  if (out.user_type !== 'patient') out.linked_patient = null;
  if (out.user_type !== 'provider') out.linked_clinician = null;
  return out;
}

function UserFields({ creating }: { creating: boolean }) {
  return (
    <>
      <TextInput source="name" validate={required()} fullWidth />
      <TextInput source="email" type="email" validate={[required(), emailValidator()]} fullWidth />
      <PasswordInput
        source="password"
        label={creating ? 'Password' : 'New password (leave empty to keep)'}
        validate={creating ? [required(), minLength(12)] : [minLength(12)]}
        helperText="At least 12 characters; not a common password or the email."
        autoComplete="new-password"
        fullWidth
      />
      <TextInput source="contactnumber" label="Contact number" fullWidth />
      <SelectInput source="user_type" label="User type" choices={USER_TYPES} validate={required()} />
      <SelectInput source="role" choices={USER_ROLES} emptyText="None" />
      <BooleanInput source="status" label="Active (can sign in)" />
      <LinkInputs />
    </>
  );
}

export function UserCreate() {
  return (
    <Create redirect="show" transform={transformLinks}>
      <SimpleForm defaultValues={{ user_type: 'staff', status: true, role: '' }}>
        <UserFields creating />
      </SimpleForm>
    </Create>
  );
}

export function UserEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="show" transform={transformLinks}>
      {/* No delete: accounts are deactivated, not removed (audit history points at them). */}
      <SimpleForm
        toolbar={
          <Toolbar>
            <SaveButton />
          </Toolbar>
        }
      >
        <UserFields creating={false} />
      </SimpleForm>
    </Edit>
  );
}
