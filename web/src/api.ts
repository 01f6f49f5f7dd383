// Calls to hotline's API from the signed-in browser: the session cookie goes with every
// request (same origin); a 401 asks the app to sign in again and then retries the request once,
// so what the person was doing is not lost.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Session {
  user: string;
  role: "admin" | "manager" | "qa" | "marketer" | "agent" | "auditor";
  tenant: string;
  agent_id?: string;
  must_change_password: boolean;
  expires?: string;
}

type Reauth = () => Promise<void>;
let reauth: Reauth | null = null;

// onSessionLost sets what happens when the session ends under a request: the app shows the
// sign-in and resolves once the same person is signed in again.
export function onSessionLost(f: Reauth | null) {
  reauth = f;
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers = { Accept: "application/json", "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  return fetch(path, init);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res = await send(method, path, body);
  if (res.status === 401 && reauth && !path.startsWith("/api/session")) {
    await reauth();
    res = await send(method, path, body);
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { error: text };
    }
  }
  if (!res.ok) {
    const msg = (data as { error?: string } | null)?.error ?? res.statusText;
    throw new ApiError(res.status, msg);
  }
  return data as T;
}
