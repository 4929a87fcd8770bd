import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { authHeader, makeUser } from '../helpers/factories.js';

/**
 * The seed README's scenario, through the API only: staff set up a provider and a patient, the
 * provider publishes a week of slots, the patient books one and cancels it, the slot is free again.
 */
describe('a clinic, from set-up to a cancelled booking', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

  it('runs end to end', async () => {
    const api = async (method: string, url: string, token: string | null, payload?: unknown) => {
      const res = await t.app.inject({
        method: method as 'GET',
        url,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
      });
      return { status: res.statusCode, body: res.body ? res.json() : null };
    };
    const login = async (email: string, password: string) => {
      const res = await api('POST', '/api/login/', null, { email, password });
      expect(res.status, `login ${email}`).toBe(200);
      return res.body.access as string;
    };

    // The clinic's first staff member exists already (createsuperuser); everything else is API.
    const admin = await makeUser(t.db, { user_type: 'staff' });
    const staff = (await authHeader(t.app, admin)).authorization.replace(/^Bearer /, '');

    const clinician = await api('POST', '/api/clinician-users/', staff, {
      firstname: 'Meredith',
      lastname: 'Grey',
      role: 'physicians',
      emailid: 'meredith.grey@journey.example',
      npi: '1234567893',
      location: 'Seattle',
      language: 'English',
    });
    expect(clinician.status).toBe(201);
    const providerUser = await api('POST', '/api/users/', staff, {
      name: 'Dr Meredith Grey',
      email: 'meredith@journey.example',
      password: 'stethoscope-at-dawn-2026',
      user_type: 'provider',
      linked_clinician: clinician.body.id,
    });
    expect(providerUser.status).toBe(201);

    const patient = await api('POST', '/api/patients/', staff, {
      first_name: 'Zoë',
      last_name: 'Nguyễn',
      date_of_birth: '1990-02-14',
      sex: 'female',
      gender_identity: 'female',
      email: 'zoe@journey.example',
      phone_number: '+1 415 555 0199',
      address_line1: '500 Market St',
      city: 'San Francisco',
      state: 'CA',
      zip_code: '94105',
    });
    expect(patient.status).toBe(201);
    const patientUser = await api('POST', '/api/users/', staff, {
      name: 'Zoë Nguyễn',
      email: 'zoe.login@journey.example',
      password: 'purple-otter-umbrella-77',
      user_type: 'patient',
      linked_patient: patient.body.id,
    });
    expect(patientUser.status).toBe(201);

    // The provider signs in and publishes next week's mornings in their own zone.
    const provider = await login('meredith@journey.example', 'stethoscope-at-dawn-2026');
    const start = dayOffset(2);
    const end = dayOffset(8);
    const bulk = await api('POST', '/api/appointment-slots/bulk/', provider, {
      timezone: 'America/New_York',
      weekdays: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      start_time: '09:00',
      end_time: '12:00',
      slot_minutes: 30,
      start_date: start,
      end_date: end,
    });
    expect(bulk.status).toBe(201);
    expect(bulk.body.created).toBe(5 * 6); // seven consecutive days hold each weekday once
    expect(bulk.body.slots.every((s: { provider: number }) => s.provider === clinician.body.id)).toBe(true);

    // The patient signs in, looks at the free slots and books the first.
    const me = await login('zoe.login@journey.example', 'purple-otter-umbrella-77');
    const free = await api('GET', `/api/appointments/available_slots/?provider_id=${clinician.body.id}&page_size=100`, me);
    expect(free.status).toBe(200);
    expect(free.body.count).toBe(30);
    const chosen = free.body.results[0];
    const booking = await api('POST', '/api/appointments/', me, {
      patient: patient.body.id,
      provider: clinician.body.id,
      appointment_slot: chosen.id,
      appointment_mode: 'virtual',
      appointment_type: 'consultation',
      reason_for_visit: 'Persistent cough',
    });
    expect(booking.status).toBe(201);
    expect(booking.body).toMatchObject({ status: 'scheduled', dateandtime: chosen.dateandtime, appointment_slot: chosen.id });
    const afterBooking = await api('GET', `/api/appointments/available_slots/?provider_id=${clinician.body.id}&page_size=100`, me);
    expect(afterBooking.body.count).toBe(29);
    expect(afterBooking.body.results.map((s: { id: number }) => s.id)).not.toContain(chosen.id);

    // The provider sees it among their appointments.
    const mine = await api('GET', '/api/appointments/my_appointments/', provider);
    expect(mine.status).toBe(200);
    expect(mine.body.results.map((a: { id: number }) => a.id)).toEqual([booking.body.id]);
    const slotView = await api('GET', `/api/appointment-slots/${chosen.id}/`, provider);
    expect(slotView.body.is_available).toBe(false);

    // The patient cancels; the record stays, and the slot is free again.
    const cancel = await api('DELETE', `/api/appointments/${booking.body.id}/`, me);
    expect(cancel.status).toBe(204);
    const record = await api('GET', `/api/appointments/${booking.body.id}/`, me);
    expect(record.body.status).toBe('cancelled');
    const again = await api('GET', `/api/appointments/available_slots/?provider_id=${clinician.body.id}&page_size=100`, me);
    expect(again.body.count).toBe(30);
    expect(again.body.results[0].id).toBe(chosen.id);
    const providerSlot = await api('GET', `/api/appointment-slots/${chosen.id}/`, provider);
    expect(providerSlot.body.is_available).toBe(true);
  });
});
