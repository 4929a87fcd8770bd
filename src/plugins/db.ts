import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Database } from '../db/connect.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
  }
}

/** Hands the database to routes. The caller owns it: buildApp's caller opens and closes it. */
async function dbPlugin(app: FastifyInstance, opts: { db: Database }) {
  app.decorate('db', opts.db);
}

export default fp(dbPlugin, { name: 'db' });
