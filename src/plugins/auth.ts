import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { AppConfig } from '../config.js';
import { ForbiddenError, InvalidTokenError, NotAuthenticatedError } from '../errors.js';
import { findUserWithSession, type UserRow } from '../modules/users/users.repository.js';
import { VerifiedTokenCache } from './verified-tokens.js';

export type UserType = UserRow['user_type'];

/** What a guard puts on the request: the caller, loaded fresh from the database. */
export type CurrentUser = Omit<UserRow, 'password'>;

export interface AccessClaims {
  token_type: 'access';
  user_id: number;
  ver: number;
  jti: string;
  /** The login (refresh-token family) this token was issued for; absent on tokens made without one. */
  sid?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    currentUser: CurrentUser | null;
    /** The caller's login (refresh-token family), when their access token names one. */
    sessionId: string | null;
  }
  interface FastifyInstance {
    authenticate: onRequestHookHandler;
    requireUserType: (...types: UserType[]) => onRequestHookHandler[];
  }
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/**
 * Bearer-token guard. The user is loaded on every request, so deactivating an account, deleting
 * it, or bumping its token version (password change, revoke sessions) cuts it off at once.
 */
async function authenticatePlugin(app: FastifyInstance, opts: { config: AppConfig }) {
  await app.register(fastifyJwt, {
    secret: opts.config.jwtSecret,
    sign: { algorithm: 'HS256' },
    // Every token this server signs expires; one without `exp` (only makeable with the secret) is refused.
    verify: { algorithms: ['HS256'], requiredClaims: ['exp'] },
  });
  app.decorateRequest('currentUser', null);
  app.decorateRequest('sessionId', null);
  const verified = new VerifiedTokenCache<AccessClaims & { exp?: number }>();

  const authenticate: onRequestHookHandler = async function (this: FastifyInstance, request) {
    const token = bearerToken(request);
    if (!token) throw new NotAuthenticatedError();
    let claims = verified.get(token);
    if (!claims) {
      try {
        claims = app.jwt.verify<AccessClaims & { exp?: number }>(token);
      } catch {
        throw new InvalidTokenError();
      }
      verified.set(token, claims);
    }
    if (claims.token_type !== 'access' || !Number.isInteger(claims.user_id)) throw new InvalidTokenError();
    const sid = typeof claims.sid === 'string' ? claims.sid : null;
    // One query: the user, and whether the login the token belongs to is still live (a login that
    // was logged out or revoked ends its access tokens now, not when they expire).
    const found = await findUserWithSession(app.db, claims.user_id, sid);
    const user = found?.user;
    if (!user?.status || user.token_version !== claims.ver) throw new InvalidTokenError();
    if (sid !== null) {
      if (!found?.sessionLive) throw new InvalidTokenError();
      request.sessionId = sid;
    }
    const { password: _password, ...current } = user;
    request.currentUser = current;
  };

  app.decorate('authenticate', authenticate);
  app.decorate('requireUserType', (...types: UserType[]) => [
    authenticate,
    async (request: FastifyRequest) => {
      if (!request.currentUser || !types.includes(request.currentUser.user_type)) throw new ForbiddenError();
    },
  ]);
}

export default fp(authenticatePlugin, { name: 'auth', dependencies: ['db'] });

/** The authenticated caller; only call behind a guard. */
export function caller(request: FastifyRequest): CurrentUser {
  if (!request.currentUser) throw new NotAuthenticatedError();
  return request.currentUser;
}
