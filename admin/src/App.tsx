import EventIcon from '@mui/icons-material/Event';
import LocalHospitalIcon from '@mui/icons-material/LocalHospital';
import PeopleIcon from '@mui/icons-material/People';
import PersonIcon from '@mui/icons-material/Person';
import ScheduleIcon from '@mui/icons-material/Schedule';
import { Admin, Authenticated, CustomRoutes, Resource } from 'react-admin';
import { createBrowserRouter, Route, RouterProvider } from 'react-router-dom';
import { authProvider } from './authProvider';
import { Dashboard } from './Dashboard';
import { dataProvider } from './dataProvider';
import { AdminLayout, MFA_PATH } from './Layout';
import { LoginPage } from './LoginPage';
import { MfaSetup } from './MfaSetup';
import { AppointmentCreate, AppointmentEdit, AppointmentList, AppointmentShow } from './resources/appointments';
import { ClinicianCreate, ClinicianEdit, ClinicianList, ClinicianShow } from './resources/clinicians';
import { PatientCreate, PatientEdit, PatientList, PatientShow } from './resources/patients';
import { BulkSlots, SlotCreate, SlotEdit, SlotList, SlotShow } from './resources/slots';
import { UserCreate, UserEdit, UserList, UserShow } from './resources/users';
import { formatInZone } from './time';

function AdminApp() {
  return (
    <Admin
      title="customehr admin"
      dataProvider={dataProvider}
      authProvider={authProvider}
      loginPage={LoginPage}
      dashboard={Dashboard}
      layout={AdminLayout}
      disableTelemetry
    >
      <CustomRoutes>
        <Route
          path={MFA_PATH}
          element={
            <Authenticated>
              <MfaSetup />
            </Authenticated>
          }
        />
      </CustomRoutes>
      <Resource
        name="appointments"
        icon={EventIcon}
        list={AppointmentList}
        show={AppointmentShow}
        create={AppointmentCreate}
        edit={AppointmentEdit}
        recordRepresentation={(r) => `#${r.id}`}
      />
      <Resource
        name="appointment-slots"
        options={{ label: 'Appointment slots' }}
        icon={ScheduleIcon}
        list={SlotList}
        show={SlotShow}
        create={SlotCreate}
        edit={SlotEdit}
        recordRepresentation={(r) => formatInZone(r.dateandtime, r.timezone)}
      >
        <Route path="bulk" element={<BulkSlots />} />
      </Resource>
      <Resource
        name="patients"
        icon={PersonIcon}
        list={PatientList}
        show={PatientShow}
        create={PatientCreate}
        edit={PatientEdit}
        recordRepresentation={(r) => `${r.first_name} ${r.last_name}`}
      />
      <Resource
        name="clinician-users"
        options={{ label: 'Clinicians' }}
        icon={LocalHospitalIcon}
        list={ClinicianList}
        show={ClinicianShow}
        create={ClinicianCreate}
        edit={ClinicianEdit}
        recordRepresentation={(r) => `${r.firstname} ${r.lastname}`}
      />
      <Resource
        name="users"
        icon={PeopleIcon}
        list={UserList}
        show={UserShow}
        create={UserCreate}
        edit={UserEdit}
        recordRepresentation={(r) => r.name || r.email}
      />
    </Admin>
  );
}

// Real paths (/admin/patients/3), not #/ fragments: the server answers deep links with the app.
// A data router, as react-admin builds for itself, so its navigation blockers work too.
const router = createBrowserRouter([{ path: '*', element: <AdminApp /> }], { basename: '/admin' });

export function App() {
  return <RouterProvider router={router} />;
}
