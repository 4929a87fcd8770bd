import type { FastifyPluginAsync } from 'fastify';
import { auditRoutes } from '../audit/audit.routes.js';
import { mfaRoutes } from '../auth/mfa.routes.js';
import { usersMeRoutes } from '../users/users.me.routes.js';

/** The routes of the security module, registered by app.ts in one place. */
export const securityRoutes: FastifyPluginAsync = async (app) => {
  await app.register(auditRoutes);
  await app.register(usersMeRoutes);
  await app.register(mfaRoutes);
};
