import { Box } from '@mui/material';
import type { ReactNode } from 'react';
import {
  Create,
  DataTable,
  DateField,
  DateInput,
  DeleteButton,
  Edit,
  EditButton,
  EmailField,
  email as emailValidator,
  List,
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
import { GENDER_IDENTITY, SEX } from '../choices';
import { useIsPhone } from '../responsive';
import { localDate } from '../time';

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Search name, email or phone" />,
  <SelectInput key="sex" source="sex" choices={SEX} />,
  <SelectInput key="gender_identity" source="gender_identity" label="Gender identity" choices={GENDER_IDENTITY} />,
  <DateInput key="date_of_birth" source="date_of_birth" label="Born on" />,
];

export function PatientList() {
  const isPhone = useIsPhone();
  return (
    <List filters={filters} sort={{ field: 'last_name', order: 'ASC' }}>
      {isPhone ? (
        <SimpleList
          primaryText={(r) => `${r.last_name}, ${r.first_name}`}
          secondaryText={(r) => `Born ${r.date_of_birth} · ${r.phone_number}`}
          tertiaryText={(r) => r.city}
          linkType="show"
        />
      ) : (
        <DataTable rowClick="show" bulkActionButtons={false}>
          <DataTable.Col source="last_name" label="Last name" />
          <DataTable.Col source="first_name" label="First name" />
          <DataTable.Col source="date_of_birth" label="Born">
            <DateField source="date_of_birth" />
          </DataTable.Col>
          <DataTable.Col source="sex" disableSort>
            <SelectField source="sex" choices={SEX} />
          </DataTable.Col>
          <DataTable.Col source="phone_number" label="Phone" disableSort />
          <DataTable.Col source="city" disableSort />
        </DataTable>
      )}
    </List>
  );
}

export function PatientShow() {
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
        <TextField source="first_name" label="First name" />
        <TextField source="middle_name" label="Middle name" />
        <TextField source="last_name" label="Last name" />
        <TextField source="preferred_name" label="Preferred name" />
        <DateField source="date_of_birth" label="Date of birth" />
        <SelectField source="sex" choices={SEX} />
        <SelectField source="gender_identity" label="Gender identity" choices={GENDER_IDENTITY} />
        <EmailField source="email" />
        <TextField source="phone_number" label="Phone" />
        <TextField source="ethnicity" />
        <TextField source="race" />
        <TextField source="language" />
        <TextField source="address_line1" label="Address" />
        <TextField source="address_line2" label="Address (line 2)" />
        <TextField source="city" />
        <TextField source="state" />
        <TextField source="zip_code" label="ZIP code" />
      </SimpleShowLayout>
    </Show>
  );
}

/** Two inputs side by side on a wide screen, stacked on a phone. */
function Row({ children }: { children: ReactNode }) {
  return <Box sx={{ display: 'flex', flexWrap: 'wrap', columnGap: 2, width: '100%', '& > *': { flex: '1 1 220px' } }}>{children}</Box>;
}

const notInFuture = (value: string | null) =>
  value && value > localDate(new Date()) ? 'The date of birth cannot be in the future.' : undefined;

function PatientFields() {
  return (
    <>
      <Row>
        <TextInput source="first_name" label="First name" validate={required()} />
        <TextInput source="middle_name" label="Middle name" />
        <TextInput source="last_name" label="Last name" validate={required()} />
      </Row>
      <Row>
        <TextInput source="preferred_name" label="Preferred name" />
        <DateInput source="date_of_birth" label="Date of birth" validate={[required(), notInFuture]} />
      </Row>
      <Row>
        <SelectInput source="sex" choices={SEX} validate={required()} />
        <SelectInput source="gender_identity" label="Gender identity" choices={GENDER_IDENTITY} validate={required()} />
      </Row>
      <Row>
        <TextInput source="phone_number" label="Phone" type="tel" validate={required()} />
        <TextInput source="email" type="email" validate={emailValidator()} />
      </Row>
      <Row>
        <TextInput source="ethnicity" />
        <TextInput source="race" />
        <TextInput source="language" />
      </Row>
      <TextInput source="address_line1" label="Address" validate={required()} fullWidth />
      <TextInput source="address_line2" label="Address (line 2)" fullWidth />
      <Row>
        <TextInput source="city" validate={required()} />
        <TextInput source="state" validate={required()} />
        <TextInput source="zip_code" label="ZIP code" validate={required()} />
      </Row>
    </>
  );
}

export function PatientCreate() {
  return (
    <Create redirect="show">
      <SimpleForm>
        <PatientFields />
      </SimpleForm>
    </Create>
  );
}

export function PatientEdit() {
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
        <PatientFields />
      </SimpleForm>
    </Edit>
  );
}
