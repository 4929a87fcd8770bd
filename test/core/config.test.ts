import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

describe('.env file', () => {
  it('is read from the working directory, and the real environment wins over it', () => {
    const cwd = process.cwd();
    const own = mkdtempSync(path.join(tmpdir(), 'customehr-dotenv-'));
    writeFileSync(path.join(own, '.env'), `PORT=8199\nLOG_LEVEL=warn\nDATA_DIR=${own}\nCUSTOMEHR_TEST_MARKER=from-file\n`);
    const saved = { PORT: process.env.PORT, LOG_LEVEL: process.env.LOG_LEVEL, DATA_DIR: process.env.DATA_DIR };
    process.env.LOG_LEVEL = 'error';
    delete process.env.PORT;
    delete process.env.DATA_DIR;
    try {
      process.chdir(own);
      const c = loadConfig();
      expect(c.port).toBe(8199);
      expect(c.logLevel).toBe('error');
      expect(c.host).toBe('127.0.0.1');
    } finally {
      process.chdir(cwd);
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      delete process.env.CUSTOMEHR_TEST_MARKER;
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('listens on all interfaces only in production, unless HOST says otherwise', () => {
    expect(loadConfig({ DATA_DIR: dir }).host).toBe('127.0.0.1');
    expect(loadConfig({ DATA_DIR: dir, NODE_ENV: 'production', JWT_SECRET: 'y'.repeat(40) }).host).toBe('0.0.0.0');
    expect(loadConfig({ DATA_DIR: dir, HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });
});
