import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

/**
 * The ceiling: a bare Fastify answering, from memory, a fixed JSON body the size of a patient
 * record. Nothing the product does per request (auth, database, audit, hooks) happens here, so
 * its req/s is what Node and Fastify can do on this machine.
 *
 * Usage: node --import tsx bench/ceiling.ts <body.json> <port>
 */
const [bodyFile, portArg] = process.argv.slice(2);
const body = JSON.parse(readFileSync(bodyFile, 'utf8')) as Record<string, unknown>;

const app = Fastify({ logger: false });
// A response schema like the product's routes have: serialised by fast-json-stringify.
const properties = Object.fromEntries(
  Object.entries(body).map(([k, v]) => [k, { type: v === null ? ['string', 'null'] : typeof v === 'number' ? 'integer' : 'string' }]),
);
app.get('/', { schema: { response: { 200: { type: 'object', properties } } } }, async () => body);

await app.listen({ port: Number(portArg), host: '127.0.0.1' });
process.send?.('ready');
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
