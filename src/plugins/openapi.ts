import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * The OpenAPI document is generated from the same route schemas the server validates and
 * serialises with; /api/docs/ renders it.
 */
async function openapiPlugin(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'customehr API',
        version: '1.0.0',
        description:
          'Healthcare user management and appointment booking. Log in at `POST /api/login/`, then send ' +
          '`Authorization: Bearer <access>`. Staff manage everything; providers see all patients read-only and ' +
          'manage their own slots and appointments; patients see only their own record and appointments.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      tags: [
        { name: 'auth', description: 'Login, token refresh, logout' },
        { name: 'users', description: 'User accounts' },
        { name: 'clinicians', description: 'Clinicians (providers)' },
        { name: 'patients', description: 'Patient records' },
        { name: 'appointment-slots', description: 'Providers’ bookable time slots' },
        { name: 'appointments', description: 'Booked appointments' },
        { name: 'audit', description: 'Audit trail (staff)' },
        { name: 'ops', description: 'Health checks' },
      ],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true, persistAuthorization: false },
  });

  app.get(
    '/api/schema/',
    {
      schema: {
        hide: true,
        querystring: { type: 'object', properties: { format: { type: 'string', enum: ['json', 'yaml', 'openapi', 'openapi-json'] } } },
      },
    },
    async (request, reply) => {
      const { format } = request.query as { format?: string };
      if (format === 'yaml' || format === 'openapi') {
        return reply.type('application/vnd.oai.openapi; charset=utf-8').send(app.swagger({ yaml: true }));
      }
      return reply.type('application/json; charset=utf-8').send(app.swagger());
    },
  );
}

export default fp(openapiPlugin, { name: 'openapi' });
