import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'customehr-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({ DATA_DIR: dir });
    expect(c.port).toBe(8000);
    expect(c.databaseUrl).toBe(`sqlite:${path.join(dir, 'customehr.sqlite')}`);
    expect(c.accessTokenLifetimeSec).toBe(3600);
    expect(c.refreshTokenLifetimeSec).toBe(86400);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names every bad key at once', () => {
    try {
      loadConfig({
        DATA_DIR: dir,
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        ACCESS_TOKEN_LIFETIME: '-5',
        TRUST_PROXY: 'maybe',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      for (const key of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'ACCESS_TOKEN_LIFETIME', 'TRUST_PROXY']) expect(message).toContain(key);
    }
  });

  it('refuses to start in production without JWT_SECRET', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dir })).toThrow(/JWT_SECRET is required/);
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dir, JWT_SECRET: 'short' })).toThrow(/at least 32/);
    expect(loadConfig({ NODE_ENV: 'production', DATA_DIR: dir, JWT_SECRET: 'x'.repeat(40) }).jwtSecret).toBe('x'.repeat(40));
  });

  it('outside production generates a secret once and keeps it so tokens survive a restart', () => {
    const own = path.join(dir, 'secret-test');
    const first = loadConfig({ DATA_DIR: own }).jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(existsSync(path.join(own, 'jwt-secret'))).toBe(true);
    expect(readFileSync(path.join(own, 'jwt-secret'), 'utf8').trim()).toBe(first);
    expect(loadConfig({ DATA_DIR: own }).jwtSecret).toBe(first);
  });

  it('selects PostgreSQL from a postgres:// URL', () => {
    expect(loadConfig({ DATA_DIR: dir, DATABASE_URL: 'postgres://u@h:5432/db' }).databaseUrl).toBe('postgres://u@h:5432/db');
  });
});
