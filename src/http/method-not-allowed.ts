import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

interface PathMethods {
  pattern: RegExp;
  /** No parameters: the router prefers such a route over a parametric one for the same path. */
  isStatic: boolean;
  methods: Set<string>;
}

/** `/api/users/:id/` -> /^\/api\/users\/[^/]+\/?$/ (the router ignores a trailing slash). */
function patternOf(url: string): RegExp {
  const body = url
    .replace(/\/$/, '')
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${body}/?$`);
}

/**
 * Knows which methods each API path has, so a request with another method on an existing path
 * answers 405 with `Allow` (as DRF does) instead of a misleading 404.
 */
export function methodRegistry(app: FastifyInstance) {
  const byUrl = new Map<string, PathMethods>();
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    let entry = byUrl.get(route.url.replace(/\/$/, ''));
    if (!entry) {
      entry = { pattern: patternOf(route.url), isStatic: !route.url.includes(':') && !route.url.includes('*'), methods: new Set() };
      byUrl.set(route.url.replace(/\/$/, ''), entry);
    }
    for (const m of [route.method].flat()) entry.methods.add(m);
  });

  /** The methods allowed on this path, or null when no route has the path at all. */
  function allowedMethods(request: FastifyRequest): string[] | null {
    const path = request.url.split('?')[0];
    const matches = [...byUrl.values()].filter((e) => e.pattern.test(path));
    const exact = matches.filter((e) => e.isStatic);
    const allowed = new Set((exact.length > 0 ? exact : matches).flatMap((e) => [...e.methods]));
    return allowed.size > 0 ? [...allowed].sort() : null;
  }

  /**
   * A fixed path such as `/api/users/me/` whose methods do not include this one, while the router
   * took the request to a parametric route (`PATCH /api/users/:id/` with id "me"): DRF routes the
   * fixed path first and answers 405; here it would have been a 404 for the id.
   */
  function staticPathWithoutMethod(request: FastifyRequest): string[] | null {
    // CORS preflights are answered by @fastify/cors.
    if (request.method === 'OPTIONS') return null;
    // Only a parametric match can have taken a fixed path's request; a map lookup, every request.
    if (!request.routeOptions.url?.includes(':')) return null;
    const fixed = byUrl.get(request.url.split('?')[0].replace(/\/$/, ''));
    if (!fixed?.isStatic || fixed.methods.has(request.method)) return null;
    return [...fixed.methods].sort();
  }

  return { allowedMethods, staticPathWithoutMethod };
}

/** Paths anonymous callers may use; on every other path an anonymous caller is told 401 first. */
const PUBLIC_PATH = /^\/api\/(login|login\/mfa|token\/refresh|logout|docs|schema)(\/|$)/;

/**
 * DRF authenticates before it dispatches on the method: an anonymous caller gets 401 for a
 * method a protected path does not have, a signed-in one 405.
 */
export function anonymousOnProtectedPath(request: FastifyRequest): boolean {
  return !request.headers.authorization && !PUBLIC_PATH.test(request.url.split('?')[0]);
}

export function sendMethodNotAllowed(request: FastifyRequest, reply: FastifyReply, allowed: string[]) {
  return reply
    .code(405)
    .header('allow', allowed.join(', '))
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ detail: `Method "${request.method}" not allowed.` }));
}
