// Same-origin calls to Baton's REST API. A bearer token, when the master asks for one (401), is kept in
// sessionStorage for this tab only.
export const API = '/api/v1';
const TOKEN_KEY = 'baton.token';

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function problem(response) {
  const body = await response.json().catch(() => ({}));
  return new ApiError(response.status, body.detail || response.statusText || `HTTP ${response.status}`);
}

export async function getJson(path) {
  const response = await fetch(API + path, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw await problem(response);
  return response.json();
}

export async function getText(path) {
  const response = await fetch(API + path, { headers: { Accept: 'text/plain' } });
  if (!response.ok) throw await problem(response);
  return response.text();
}

/** POSTs with the stored token; on 401 asks for a token once, stores it and retries. */
export async function post(path) {
  for (let tries = 0; tries < 2; tries++) {
    const headers = { Accept: 'application/json' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(API + path, { method: 'POST', headers });
    if (response.status === 401 && tries === 0) {
      const entered = window.prompt('This cluster needs an API token to change jobs. Token:');
      if (!entered) throw new ApiError(401, 'a token is needed to do this');
      sessionStorage.setItem(TOKEN_KEY, entered.trim());
      continue;
    }
    if (!response.ok) throw await problem(response);
    return response.json().catch(() => ({}));
  }
  throw new ApiError(401, 'the token was not accepted');
}
