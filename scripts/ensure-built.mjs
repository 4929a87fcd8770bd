#!/usr/bin/env node
// Builds what is missing or older than its sources, so `npm start` on a fresh clone just works
// and a second start does not rebuild. Plain JS: it must run before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function newest(dir) {
  let latest = 0;
  if (!existsSync(dir)) return latest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

function mtime(file) {
  return existsSync(file) ? statSync(file).mtimeMs : -1;
}

function run(args, { optional = false } = {}) {
  const result = spawnSync('npx', args, { cwd: root, stdio: 'inherit' });
  if (result.status === 0) return true;
  if (!optional) process.exit(result.status ?? 1);
  return false;
}

const serverOut = path.join(root, 'dist/server.js');
if (mtime(serverOut) < Math.max(newest(path.join(root, 'src')), mtime(path.join(root, 'package.json')))) {
  console.log('Building the server (TypeScript)...');
  run(['tsc', '-p', 'tsconfig.build.json']);
}

const adminConfig = path.join(root, 'admin/vite.config.ts');
const adminOut = path.join(root, 'admin/dist/index.html');
if (existsSync(adminConfig) && mtime(adminOut) < newest(path.join(root, 'admin'))) {
  console.log('Building the admin dashboard (Vite)...');
  // The API must start even if the dashboard cannot be built (e.g. npm skipped Vite's native
  // binary after a failed download); /admin/ then says how to fix it.
  if (!run(['vite', 'build', '--config', adminConfig, '--logLevel', 'warn'], { optional: true })) {
    console.error('\nThe admin dashboard could not be built; the API starts without it.');
    console.error('Fix: rm -rf node_modules && npm install, then npm run build.\n');
  }
}
