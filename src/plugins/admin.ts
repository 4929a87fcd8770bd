import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Built by Vite from admin/ (npm run build; npm start builds it when missing). */
export const ADMIN_DIST = fileURLToPath(new URL('../../admin/dist/', import.meta.url));

/**
 * Serves the admin single-page app at /admin/. Any deep link (/admin/patients/3) gets
 * index.html so the client-side router can take over.
 */
async function adminPlugin(app: FastifyInstance) {
  if (!existsSync(`${ADMIN_DIST}index.html`)) {
    app.log.warn('admin dashboard is not built (run npm run build); /admin/ is unavailable');
    app.get('/admin/', async (_req, reply) =>
      reply.code(503).type('text/plain').send('The admin dashboard has not been built. Run `npm run build` and restart.'),
    );
    return;
  }
  await app.register(fastifyStatic, { root: ADMIN_DIST, prefix: '/admin/', wildcard: false, index: 'index.html', decorateReply: false });
  app.get('/admin/*', { schema: { hide: true } }, async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(await indexHtml()),
  );
}

let cachedIndex: Promise<Buffer> | null = null;
function indexHtml(): Promise<Buffer> {
  cachedIndex ??= import('node:fs/promises').then((fs) => fs.readFile(`${ADMIN_DIST}index.html`));
  return cachedIndex;
}

export default fp(adminPlugin, { name: 'admin' });
