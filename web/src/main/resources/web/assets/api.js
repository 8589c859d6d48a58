// Same-origin calls to Baton's REST API. A bearer token, when the master asks for one (401), is kept in
// sessionStorage for this tab only and sent with every call. The live stream (EventSource) cannot send headers:
// after a token is entered, POST /api/v1/session turns it into an HttpOnly, SameSite=Strict cookie that the
// master accepts for reads only (writes always need the header).
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

function authorized(headers) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

let login = null;

/** Asks for a token once (however many calls got 401 at the same time) and opens a cookie session with it. */
function askForToken(why) {
  if (!login) {
    login = (async () => {
      const entered = window.prompt(why);
      if (!entered) throw new ApiError(401, 'a token is needed to see this cluster');
      sessionStorage.setItem(TOKEN_KEY, entered.trim());
      await fetch(API + '/session', { method: 'POST', headers: authorized({}) });
    })().finally(() => { login = null; });
  }
  return login;
}

async function read(path, accept) {
  for (let tries = 0; tries < 2; tries++) {
    const response = await fetch(API + path, { headers: authorized({ Accept: accept }) });
    if (response.status === 401 && tries === 0) {
      await askForToken('This cluster needs an API token. Token:');
      continue;
    }
    if (!response.ok) throw await problem(response);
    return response;
  }
  throw new ApiError(401, 'the token was not accepted');
}

export async function getJson(path) {
  return (await read(path, 'application/json')).json();
}

export async function getText(path) {
  return (await read(path, 'text/plain')).text();
}

/** POSTs with the stored token; on 401 asks for a token once, stores it and retries. */
export async function post(path) {
  for (let tries = 0; tries < 2; tries++) {
    const response = await fetch(API + path, { method: 'POST', headers: authorized({ Accept: 'application/json' }) });
    if (response.status === 401 && tries === 0) {
      await askForToken('This cluster needs an API token to change jobs. Token:');
      continue;
    }
    if (!response.ok) throw await problem(response);
    return response.json().catch(() => ({}));
  }
  throw new ApiError(401, 'the token was not accepted');
}
