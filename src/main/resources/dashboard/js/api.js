// The API as the page uses it: the caller's bearer token (kept for this browser tab only, in
// sessionStorage), JSON in and out, problems (application/problem+json) as ApiError.

const TOKEN_KEY = 'calcgrid.token';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A refused request: `problem` is the RFC 9457 body (or one made up from the status). */
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.retryAfter = retryAfter;
  }
}

/** Calls the API at `path` (relative to the page, e.g. 'api/v1/jobs'). */
export async function api(path, { method = 'GET', body, headers = {}, signal } = {}) {
  const h = { Accept: 'application/json, application/problem+json', ...headers };
  const t = token.get();
  if (t) h.Authorization = `Bearer ${t}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers: h, body, signal, cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'Node unreachable', detail: `the node did not answer (${e.message})` });
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    const err = new ApiError(response.status, data || { title: response.statusText, detail: text.slice(0, 500) },
      response.headers.get('Retry-After'));
    if (response.status === 401) window.dispatchEvent(new CustomEvent('calcgrid:unauthorized', { detail: err }));
    throw err;
  }
  return data;
}

/** The ws:// (or wss://) address of an API path, with the token as the events route accepts it. */
export function socketUrl(path) {
  const u = new URL(path, window.location.href);
  u.hash = '';
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  const t = token.get();
  if (t) u.searchParams.set('access_token', t);
  return u.href;
}

export const jobPath = (id, rest = '') => `api/v1/jobs/${encodeURIComponent(id)}${rest}`;
