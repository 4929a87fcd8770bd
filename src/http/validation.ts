import { Ajv, type Options } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ?? addFormatsImport) as (ajv: Ajv) => Ajv;

const common: Options = {
  removeAdditional: false, // unknown fields are refused (mass assignment), not silently dropped
  useDefaults: true,
  allErrors: true,
  strict: false,
  messages: true,
};

function build(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ ...common, coerceTypes });
  (addFormats as unknown as (a: Ajv, formats: string[]) => Ajv)(ajv, ['date', 'time', 'date-time', 'email', 'uri']);
  return ajv;
}

/**
 * JSON bodies are validated strictly (a number is not a string, "true" is not a boolean);
 * query strings and path params are text on the wire, so they are coerced.
 */
export function registerValidators(app: FastifyInstance): void {
  const strict = build(false);
  const coercing = build('array');
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    return ajv.compile(schema);
  });
}
