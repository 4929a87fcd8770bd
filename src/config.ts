import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The only reader of process.env. Everything is validated once, every bad key is reported
 * together, and the result is frozen and handed to buildApp.
 */
export interface AppConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly dataDir: string;
  readonly jwtSecret: string;
  readonly accessTokenLifetimeSec: number;
  readonly refreshTokenLifetimeSec: number;
  readonly logLevel: string;
  readonly corsOrigins: readonly string[];
  readonly redisUrl: string | null;
  /** Prefix of every Redis key, so several installations (or test runs) can share one Redis. */
  readonly redisKeyPrefix: string;
  readonly trustProxy: boolean;
  readonly bodyLimit: number;
  readonly requestTimeoutMs: number;
  readonly workers: number;
  /** Login lockout: failures per account inside the window before 429. */
  readonly loginMaxFailures: number;
  readonly loginWindowSec: number;
  /** Per-IP rate limit on login and refresh, requests per minute. */
  readonly authRateLimitPerMinute: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const ENVS = ['development', 'production', 'test'] as const;

type Env = Record<string, string | undefined>;

function intSetting(env: Env, key: string, fallback: number, problems: string[], { min, max }: { min: number; max: number }): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${key} must be an integer between ${min} and ${max} (got "${raw}")`);
    return fallback;
  }
  return value;
}

function boolSetting(env: Env, key: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  problems.push(`${key} must be true or false (got "${raw}")`);
  return fallback;
}

/** Reads (or creates) the development JWT secret kept in the data folder. */
function persistedDevSecret(dataDir: string): string {
  const file = path.join(dataDir, 'jwt-secret');
  if (existsSync(file)) {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * Reads `./.env` into the process environment when it exists (variables already set win), so
 * the settings of .env.example can be kept in a file as it says.
 */
function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

export function loadConfig(env: Env = process.env): AppConfig {
  if (env === process.env) loadDotEnv();
  const problems: string[] = [];
  const nodeEnv = (env.NODE_ENV?.trim() || 'development') as AppConfig['env'];
  if (!ENVS.includes(nodeEnv)) problems.push(`NODE_ENV must be one of ${ENVS.join(', ')} (got "${env.NODE_ENV}")`);

  const dataDir = path.resolve(env.DATA_DIR?.trim() || './data');
  const databaseUrl = env.DATABASE_URL?.trim() || `sqlite:${path.join(dataDir, 'customehr.sqlite')}`;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with sqlite: or postgres:// (got another scheme)');
  }

  const logLevel = env.LOG_LEVEL?.trim() || (nodeEnv === 'test' ? 'silent' : 'info');
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);

  let jwtSecret = env.JWT_SECRET?.trim() ?? '';
  if (jwtSecret && jwtSecret.length < 32) problems.push('JWT_SECRET must be at least 32 characters long');
  if (!jwtSecret && nodeEnv === 'production') problems.push('JWT_SECRET is required when NODE_ENV=production');

  const corsOrigins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) problems.push(`CORS_ORIGINS entry "${origin}" is not an origin like https://clinic.example`);
  }

  const redisUrl = env.REDIS_URL?.trim() || null;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL must start with redis:// or rediss://');

  const config: AppConfig = {
    env: nodeEnv,
    port: intSetting(env, 'PORT', 8000, problems, { min: 0, max: 65535 }),
    // Only this machine by default while developing with PHI; a server deployment sets
    // NODE_ENV=production (all interfaces) or HOST explicitly.
    host: env.HOST?.trim() || (nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1'),
    databaseUrl,
    dataDir,
    jwtSecret: '',
    accessTokenLifetimeSec: intSetting(env, 'ACCESS_TOKEN_LIFETIME', 3600, problems, { min: 30, max: 86400 * 30 }),
    refreshTokenLifetimeSec: intSetting(env, 'REFRESH_TOKEN_LIFETIME', 86400, problems, { min: 60, max: 86400 * 365 }),
    logLevel,
    corsOrigins,
    redisUrl,
    redisKeyPrefix: env.REDIS_KEY_PREFIX?.trim() || 'customehr:',
    trustProxy: boolSetting(env, 'TRUST_PROXY', false, problems),
    bodyLimit: intSetting(env, 'BODY_LIMIT', 1024 * 1024, problems, { min: 1024, max: 100 * 1024 * 1024 }),
    requestTimeoutMs: intSetting(env, 'REQUEST_TIMEOUT_MS', 30000, problems, { min: 100, max: 600000 }),
    workers: intSetting(env, 'WORKERS', 1, problems, { min: 0, max: 256 }),
    loginMaxFailures: intSetting(env, 'LOGIN_MAX_FAILURES', 5, problems, { min: 1, max: 1000 }),
    loginWindowSec: intSetting(env, 'LOGIN_WINDOW_SECONDS', 900, problems, { min: 1, max: 86400 }),
    authRateLimitPerMinute: intSetting(env, 'AUTH_RATE_LIMIT_PER_MINUTE', 30, problems, { min: 1, max: 100000 }),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  if (!jwtSecret) jwtSecret = persistedDevSecret(dataDir);
  return Object.freeze({ ...config, jwtSecret });
}

/** Config for tests: no environment, no files, fast defaults. */
export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return Object.freeze({
    env: 'test',
    port: 0,
    host: '127.0.0.1',
    databaseUrl: 'sqlite::memory:',
    dataDir: path.resolve('./data/test'),
    jwtSecret: 'test-secret-test-secret-test-secret-0123456789',
    accessTokenLifetimeSec: 3600,
    refreshTokenLifetimeSec: 86400,
    logLevel: 'silent',
    corsOrigins: [],
    redisUrl: null,
    redisKeyPrefix: 'customehr-test:',
    trustProxy: false,
    bodyLimit: 1024 * 1024,
    requestTimeoutMs: 30000,
    workers: 1,
    loginMaxFailures: 5,
    loginWindowSec: 900,
    authRateLimitPerMinute: 1000,
    ...overrides,
  } satisfies AppConfig);
}
