import type { FastifyRequest } from 'fastify';
import { NotFoundError } from '../errors.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  page: number;
  pageSize: number;
  offset: number;
}

export function pageRequest(query: { page?: number; page_size?: number }): PageRequest {
  const page = query.page ?? 1;
  const pageSize = Math.min(query.page_size ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  return { page, pageSize, offset: (page - 1) * pageSize };
}

function pageUrl(request: FastifyRequest, page: number): string {
  const url = new URL(request.url, `${request.protocol}://${request.host}`);
  if (page === 1) url.searchParams.delete('page');
  else url.searchParams.set('page', String(page));
  return url.toString();
}

/** DRF's page body: `{count, next, previous, results}`; a page past the end is 404. */
export function pageBody<T>(request: FastifyRequest, pr: PageRequest, count: number, results: T[]) {
  const lastPage = Math.max(1, Math.ceil(count / pr.pageSize));
  if (pr.page > lastPage) throw new NotFoundError('Invalid page.');
  return {
    count,
    next: pr.page < lastPage ? pageUrl(request, pr.page + 1) : null,
    previous: pr.page > 1 ? pageUrl(request, pr.page - 1) : null,
    results,
  };
}

/** Absolute URL of an API path, for `url` fields. */
export function absoluteUrl(request: FastifyRequest, path: string): string {
  return `${request.protocol}://${request.host}${path}`;
}
