import { describe, expect, it } from 'vitest';
import {
  canonicalTimeZone,
  datesBetween,
  localToInstant,
  localToInstants,
  offsetMinutes,
  parseClock,
  weekdayIn,
  weekdayOfDate,
} from '../../src/modules/slots/timezones.js';

const iso = (ds: Date[]) => ds.map((d) => d.toISOString());

describe('timezones', () => {
  it('accepts real IANA zones, canonicalises case and refuses the rest', () => {
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(canonicalTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    for (const bad of ['Mars/Olympus_Mons', '+01:00', '', 'America/', '../etc/passwd', 'UTC; drop table']) {
      expect(canonicalTimeZone(bad), bad).toBeNull();
    }
  });

  it('derives the weekday in the zone, not in UTC', () => {
    // 01:30 UTC on Tuesday is 21:30 on Monday in New York (EDT from 2026-03-08).
    expect(weekdayIn(new Date('2026-03-10T01:30:00Z'), 'America/New_York')).toBe('monday');
    expect(weekdayIn(new Date('2026-03-10T01:30:00Z'), 'UTC')).toBe('tuesday');
    // Across the date line the other way: Tokyo is already Tuesday.
    expect(weekdayIn(new Date('2026-03-09T20:00:00Z'), 'Asia/Tokyo')).toBe('tuesday');
    expect(weekdayOfDate(2026, 6, 1)).toBe('monday');
    expect(weekdayOfDate(2026, 11, 1)).toBe('sunday');
  });

  it('knows the offsets either side of both 2026 New York transitions', () => {
    expect(offsetMinutes(new Date('2026-03-08T06:59:00Z'), 'America/New_York')).toBe(-300);
    expect(offsetMinutes(new Date('2026-03-08T07:00:00Z'), 'America/New_York')).toBe(-240);
    expect(offsetMinutes(new Date('2026-11-01T05:59:00Z'), 'America/New_York')).toBe(-240);
    expect(offsetMinutes(new Date('2026-11-01T06:00:00Z'), 'America/New_York')).toBe(-300);
    expect(offsetMinutes(new Date('2026-07-01T12:00:00Z'), 'Asia/Kolkata')).toBe(330);
  });

  it('maps ordinary local times to one instant', () => {
    expect(iso(localToInstants('2026-06-01', '09:00', 'America/New_York'))).toEqual(['2026-06-01T13:00:00.000Z']);
    expect(iso(localToInstants('2026-01-15', '09:00', 'America/New_York'))).toEqual(['2026-01-15T14:00:00.000Z']);
    expect(iso(localToInstants('2026-06-01', '09:00', 'UTC'))).toEqual(['2026-06-01T09:00:00.000Z']);
    expect(iso(localToInstants('2026-06-01', '09:00', 'Asia/Kolkata'))).toEqual(['2026-06-01T03:30:00.000Z']);
    // The days either side of a transition are ordinary.
    expect(iso(localToInstants('2026-03-08', '01:59', 'America/New_York'))).toEqual(['2026-03-08T06:59:00.000Z']);
    expect(iso(localToInstants('2026-03-08', '03:00', 'America/New_York'))).toEqual(['2026-03-08T07:00:00.000Z']);
  });

  it('finds no instant in the spring-forward gap (2026-03-08 02:00–02:59 New York)', () => {
    expect(localToInstants('2026-03-08', '02:00', 'America/New_York')).toEqual([]);
    expect(localToInstants('2026-03-08', '02:30', 'America/New_York')).toEqual([]);
    expect(localToInstant('2026-03-08', '02:59', 'America/New_York')).toBeNull();
    // Europe's gap is at another hour and date.
    expect(localToInstants('2026-03-29', '02:30', 'Europe/Berlin')).toEqual([]);
  });

  it('finds both instants in the fall-back overlap (2026-11-01 01:00–01:59 New York), first first', () => {
    expect(iso(localToInstants('2026-11-01', '01:30', 'America/New_York'))).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:30:00.000Z',
    ]);
    expect(localToInstant('2026-11-01', '01:00', 'America/New_York')?.toISOString()).toBe('2026-11-01T05:00:00.000Z');
    expect(iso(localToInstants('2026-11-01', '02:00', 'America/New_York'))).toEqual(['2026-11-01T07:00:00.000Z']);
    expect(iso(localToInstants('2026-11-01', '00:59', 'America/New_York'))).toEqual(['2026-11-01T04:59:00.000Z']);
  });

  it('round-trips every half hour of a year in New York', () => {
    let gaps = 0;
    let overlaps = 0;
    const fmt = new Intl.DateTimeFormat('sv-SE', { timeZone: 'America/New_York', dateStyle: 'short', timeStyle: 'short' });
    for (const date of datesBetween('2026-01-01', '2026-12-31')) {
      for (let m = 0; m < 24 * 60; m += 30) {
        const time = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        const found = localToInstants(date, time, 'America/New_York');
        if (found.length === 0) gaps += 1;
        if (found.length === 2) overlaps += 1;
        for (const instant of found) {
          expect(fmt.format(instant)).toBe(`${date} ${time}`);
        }
      }
    }
    // One hour lost in March, one hour repeated in November.
    expect(gaps).toBe(2);
    expect(overlaps).toBe(2);
  });

  it('parses clock times and walks dates', () => {
    expect(parseClock('09:30')).toBe(570);
    expect(parseClock('23:59')).toBe(1439);
    for (const bad of ['24:00', '9:30', '09:60', '0930', '']) expect(parseClock(bad), bad).toBeNull();
    expect([...datesBetween('2026-02-27', '2026-03-02')]).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect([...datesBetween('2026-03-02', '2026-03-01')]).toEqual([]);
  });
});
