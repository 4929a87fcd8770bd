import { it } from 'vitest';

/**
 * True when the run is CI: `.ci/run` exports CI=true (as do GitHub Actions, GitLab and most
 * others). Any value but an empty one, `0` or `false` counts.
 */
export const inCi = !['', '0', 'false'].includes((process.env.CI ?? '').trim().toLowerCase());

/**
 * Whether a suite that needs an outside tool (Chromium, Redis) is to be skipped. On a developer's
 * machine without the tool it is skipped; under CI it is skipped too but a failing test named
 * after the tool takes its place, so a CI run can never pass while silently missing it.
 *
 *   describe.skipIf(missing('Chromium', existsSync(CHROMIUM), 'apt-get install -y chromium'))(…)
 */
export function missing(tool: string, available: boolean, fix: string): boolean {
  if (available) return false;
  if (inCi) {
    it(`${tool} is available (required when CI is set)`, () => {
      throw new Error(`${tool} is missing and CI=${process.env.CI}: these tests must not be skipped in CI. ${fix}`);
    });
  }
  return true;
}
