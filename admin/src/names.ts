/** Display names for records used as references (autocomplete options, links). */
interface PatientLike {
  id?: number | string;
  first_name?: string;
  last_name?: string;
  preferred_name?: string;
  date_of_birth?: string;
}

interface ClinicianLike {
  id?: number | string;
  firstname?: string;
  lastname?: string;
  role?: string;
}

export function patientName(p: PatientLike | null | undefined): string {
  if (!p) return '';
  const first = p.preferred_name || p.first_name || '';
  const born = p.date_of_birth ? ` (born ${p.date_of_birth})` : '';
  return `${p.last_name ?? ''}, ${first}${born}`.trim();
}

export function clinicianName(c: ClinicianLike | null | undefined): string {
  if (!c) return '';
  return `${c.firstname ?? ''} ${c.lastname ?? ''}`.trim() || `Clinician #${c.id}`;
}
