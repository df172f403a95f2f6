/**
 * The todo HTTP API on node:http, no framework:
 *
 *   GET /healthz              readiness (the Lambda Web Adapter's check)
 *   GET /todos                list          POST /todos   {"title": "…"} → 201
 *   GET /todos/{id}           one, or 404   DELETE /todos/{id} → 204, or 404
 *
 * Behind API Gateway the same paths arrive under a prefix (/todo, /preview/todo): the platform
 * lists them in FAAS_BASE_PATHS and the app strips the first that matches, so /todo/todos works
 * on Lambda and locally alike. Errors are answered with a message, never with a stack trace.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isTodoId, type TodoStore } from './todo-store';

const HEALTH_PATH = '/healthz';
export const MAX_TITLE_LENGTH = 200;
const MAX_BODY_BYTES = 16 * 1024;

export type Log = (level: 'info' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface TodoAppOptions {
  readonly store: TodoStore;
  /** Prefixes to strip, longest first. */
  readonly basePaths: readonly string[];
  readonly log: Log;
}

type Title = { readonly ok: true; readonly title: string } | { readonly ok: false; readonly message: string };

/** A title is a non-empty string of at most MAX_TITLE_LENGTH characters (surrounding spaces dropped). */
export function readTitle(body: unknown): Title {
  const title = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).title : undefined;
  if (typeof title !== 'string') return { ok: false, message: 'title is required and must be a string, e.g. {"title": "buy milk"}' };
  const trimmed = title.trim();
  if (trimmed.length === 0) return { ok: false, message: 'title must not be empty' };
  if ([...trimmed].length > MAX_TITLE_LENGTH) return { ok: false, message: `title must be at most ${MAX_TITLE_LENGTH} characters` };
  return { ok: true, title: trimmed };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function createTodoApp(options: TodoAppOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { store, log } = options;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = stripBase(new URL(req.url ?? '/', 'http://localhost').pathname, options.basePaths);
    if (path === HEALTH_PATH) {
      allow(method, ['GET', 'HEAD']);
      return send(res, 200, { status: 'ok' });
    }
    if (path === '/todos') {
      allow(method, ['GET', 'POST']);
      if (method === 'GET') return send(res, 200, { todos: await store.list() });
      const title = readTitle(await readJson(req));
      if (!title.ok) throw new HttpError(400, title.message);
      return send(res, 201, await store.create(title.title));
    }
    const id = path.match(/^\/todos\/([^/]+)$/)?.[1];
    if (id !== undefined) {
      allow(method, ['GET', 'DELETE']);
      const unknown = new HttpError(404, `no todo with id "${id.slice(0, 64)}"`);
      if (!isTodoId(id)) throw unknown;
      if (method === 'GET') {
        const todo = await store.get(id);
        if (!todo) throw unknown;
        return send(res, 200, todo);
      }
      if (!(await store.remove(id))) throw unknown;
      res.writeHead(204).end();
      return;
    }
    throw new HttpError(404, `no route for ${method} ${path.slice(0, 200)}`);
  }

  return (req, res) => {
    const started = Date.now();
    const requestId = headerOf(req, 'x-request-id') ?? randomUUID();
    res.on('finish', () =>
      log('info', 'request', { requestId, method: req.method, url: req.url, status: res.statusCode, ms: Date.now() - started }),
    );
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return send(res, error.status, { message: error.message }, error.headers);
      // The detail goes to the log; the caller gets a message and an id to quote.
      const detail = error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error);
      log('error', 'request failed', { requestId, error: detail });
      if (res.headersSent) return res.destroy();
      send(res, 500, { message: 'internal error', requestId });
    });
  };
}

function stripBase(path: string, basePaths: readonly string[]): string {
  for (const base of basePaths) {
    if (path === base) return '/';
    if (path.startsWith(`${base}/`)) return path.slice(base.length);
  }
  return path;
}

function allow(method: string, methods: readonly string[]): void {
  if (!methods.includes(method)) {
    throw new HttpError(405, `method ${method} not allowed; use ${methods.join(' or ')}`, { allow: methods.join(', ') });
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `body must be at most ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'body must be JSON, e.g. {"title": "buy milk"}');
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(value) ? value : undefined;
}
