import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';

/**
 * Process entry: config, migrations, listen, graceful close. With WORKERS > 1 (or 0 = one per
 * core) the primary migrates once and forks workers that share the port.
 */
async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  const workers = config.workers === 0 ? availableParallelism() : config.workers;
  if (workers > 1 && cluster.isPrimary) {
    const db = openDatabase(config.databaseUrl);
    await migrateToLatest(db);
    await db.destroy();
    console.log(JSON.stringify({ level: 30, msg: `starting ${workers} workers`, port: config.port }));
    for (let i = 0; i < workers; i++) cluster.fork();
    let stopping = false;
    cluster.on('exit', (worker, code) => {
      if (!stopping && code !== 0) {
        console.error(JSON.stringify({ level: 50, msg: 'worker exited; starting another', pid: worker.process.pid, code }));
        cluster.fork();
      }
    });
    const stop = () => {
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    return;
  }

  const db = openDatabase(config.databaseUrl);
  if (cluster.isPrimary) await migrateToLatest(db);
  const app = await buildApp({ config, db });

  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await app.close();
      await db.destroy();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGTERM', () => void close('SIGTERM'));
  process.once('SIGINT', () => void close('SIGINT'));

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`Port ${config.port} on ${config.host} is already in use. Stop the other process or set PORT to another port.`);
      await db.destroy();
      process.exit(1);
    }
    throw err;
  }
  const shown = config.databaseUrl.startsWith('sqlite') ? config.databaseUrl : 'postgres';
  app.log.info({ database: shown }, `customehr listening on http://localhost:${config.port} (docs /api/docs/, admin /admin/)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
