import {
  Create,
  DataTable,
  DeleteButton,
  Edit,
  EditButton,
  EmailField,
  email as emailValidator,
  List,
  regex,
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
} from 'react-admin';
import { CLINICIAN_ROLES, SUPERVISION } from '../choices';
import { useIsPhone } from '../responsive';

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Search name, email or NPI" />,
  <SelectInput key="role" source="role" choices={CLINICIAN_ROLES} />,
  <SelectInput key="supervising_clinician" source="supervising_clinician" label="Supervision" choices={SUPERVISION} />,
];

export function ClinicianList() {
  const isPhone = useIsPhone();
  return (
    <List filters={filters} sort={{ field: 'lastname', order: 'ASC' }}>
      {isPhone ? (
        <SimpleList
          primaryText={(r) => `${r.lastname}, ${r.firstname}`}
          secondaryText={(r) => CLINICIAN_ROLES.find((c) => c.id === r.role)?.name ?? r.role}
          tertiaryText={(r) => (r.npi ? `NPI ${r.npi}` : '')}
          linkType="show"
        />
      ) : (
        <DataTable rowClick="show" bulkActionButtons={false}>
          <DataTable.Col source="lastname" label="Last name" />
          <DataTable.Col source="firstname" label="First name" />
          <DataTable.Col source="role">
            <SelectField source="role" choices={CLINICIAN_ROLES} />
          </DataTable.Col>
          <DataTable.Col source="emailid" label="Email" disableSort>
            <EmailField source="emailid" />
          </DataTable.Col>
          <DataTable.Col source="npi" label="NPI" disableSort />
          <DataTable.Col source="location" disableSort />
        </DataTable>
      )}
    </List>
  );
}

export function ClinicianShow() {
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
        <TextField source="firstname" label="First name" />
        <TextField source="lastname" label="Last name" />
        <SelectField source="role" choices={CLINICIAN_ROLES} />
        <EmailField source="emailid" label="Email" />
        <TextField source="contactnumber" label="Contact number" />
        <TextField source="npi" label="NPI" />
        <TextField source="location" />
        <TextField source="language" />
        <SelectField source="supervising_clinician" label="Supervision" choices={SUPERVISION} />
      </SimpleShowLayout>
    </Show>
  );
}

// The check digit is the server's to judge (and its message shows on the field); this only
// catches obvious typos before a round trip.
const npiShape = regex(/^(\d{10})?$/, 'An NPI is 10 digits.');

function ClinicianFields() {
  return (
    <>
      <TextInput source="firstname" label="First name" validate={required()} fullWidth />
      <TextInput source="lastname" label="Last name" validate={required()} fullWidth />
      <SelectInput source="role" choices={CLINICIAN_ROLES} validate={required()} />
      <TextInput source="emailid" label="Email" type="email" validate={[required(), emailValidator()]} fullWidth />
      <TextInput source="contactnumber" label="Contact number" fullWidth />
      <TextInput source="npi" label="NPI" validate={npiShape} helperText="10 digits, or empty" />
      <TextInput source="location" fullWidth />
      <TextInput source="language" fullWidth />
      <SelectInput source="supervising_clinician" label="Supervision" choices={SUPERVISION} validate={required()} />
    </>
  );
}

export function ClinicianCreate() {
  return (
    <Create redirect="show">
      <SimpleForm defaultValues={{ supervising_clinician: 'none', role: 'physicians' }}>
        <ClinicianFields />
      </SimpleForm>
    </Create>
  );
}

export function ClinicianEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="show">
      <SimpleForm
        toolbar={
          <Toolbar sx={{ justifyContent: 'space-between' }}>
            <SaveButton />
            <DeleteButton mutationMode="pessimistic" />
          </Toolbar>
        }
      >
        <ClinicianFields />
      </SimpleForm>
    </Edit>
  );
}
