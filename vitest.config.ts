import { defineConfig } from 'vitest/config';

// Every suite runs on SQLite; with TEST_DATABASE_URL set (CI always sets it) the same suites run
// again on PostgreSQL, each file in its own schema (the CLI and server-process tests too, through
// test/helpers/process-db.ts). Only the browser journey is SQLite-only: it tests the dashboard.
const postgresUrl = process.env.TEST_DATABASE_URL;

const shared = {
  include: ['test/**/*.test.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { ...shared, name: 'sqlite', env: { TEST_DB: 'sqlite' } } },
      ...(postgresUrl
        ? [
            {
              extends: true as const,
              test: { ...shared, name: 'postgres', exclude: ['test/browser/**'], env: { TEST_DB: 'postgres' } },
            },
          ]
        : []),
    ],
  },
});
