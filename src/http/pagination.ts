import type { FastifyRequest } from 'fastify';
import { NotFoundError } from '../errors.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  page: number;
  pageSize: number;
  offset: number;
}

/** The query a list receives, as text: parsed here the way DRF's PageNumberPagination does. */
export interface PageQueryText {
  page?: string;
  page_size?: string;
}

/** Python's int() of a query value: an optional sign and digits, surrounding spaces allowed. */
function integerOf(text: string): number | null {
  const m = /^\s*([+-]?\d{1,12})\s*$/.exec(text);
  return m ? Number(m[1]) : null;
}

/** Beyond any real list: such a page is past the end (404) without an absurd OFFSET. */
const MAX_PAGE = 1_000_000_000;

/**
 * `page_size`: a positive integer, capped at MAX_PAGE_SIZE; anything else means the default (as
 * DRF's `_positive_int(strict=True, cutoff=max_page_size)`). `page`: an integer from 1, or
 * `last`; anything else is 404 "Invalid page." (as Django's paginator), as is a page past the end.
 */
export function pageRequest(query: PageQueryText): PageRequest | LastPageRequest {
  const size = query.page_size === undefined ? null : integerOf(query.page_size);
  const pageSize = size === null || size < 1 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE);
  const raw = query.page?.trim() ?? '';
  if (raw === 'last') return { last: true, pageSize };
  const page = raw === '' ? 1 : integerOf(raw);
  if (page === null || page < 1 || page > MAX_PAGE) throw new NotFoundError('Invalid page.');
  return { page, pageSize, offset: (page - 1) * pageSize };
}

/** `?page=last`: which page that is depends on the count. */
export interface LastPageRequest {
  last: true;
  pageSize: number;
}

export interface FetchedPage<T> {
  pr: PageRequest;
  count: number;
  rows: T[];
}

/**
 * Fetches the page a request asks for. For `?page=last` the count comes first (a fetch past the
 * end returns the count and no rows), then the last page itself.
 */
export async function fetchPage<T>(
  query: PageQueryText,
  fetch: (limit: number, offset: number) => Promise<{ count: number; rows: T[] }>,
): Promise<FetchedPage<T>> {
  const requested = pageRequest(query);
  if (!('last' in requested)) return { pr: requested, ...(await fetch(requested.pageSize, requested.offset)) };
  const { pageSize } = requested;
  const probe = await fetch(pageSize, MAX_PAGE * pageSize);
  const page = Math.max(1, Math.ceil(probe.count / pageSize));
  const pr = { page, pageSize, offset: (page - 1) * pageSize };
  if (probe.count === 0) return { pr, count: 0, rows: [] };
  return { pr, ...(await fetch(pageSize, pr.offset)) };
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
