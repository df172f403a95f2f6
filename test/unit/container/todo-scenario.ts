/**
 * The todo server as a process, and the API scenario every environment runs against it:
 *
 *   unit         startTodoServer({ inMemoryS3: true })   — S3 mocked inside the child (in-memory-s3.ts)
 *   integration  startTodoServer({ env: { AWS_ENDPOINT_URL, TODO_BUCKET, … } }) — the emulator's S3
 *
 * then `describeTodoApi(() => server)`. The scenario asserts only what holds on a shared, non-empty
 * bucket too (its own todos are listed; it never expects an exact list).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { IN_MEMORY_S3_DELAY_MS, IN_MEMORY_S3_FLAG } from './in-memory-s3';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const TODO_SERVER_SOURCE = path.join(REPO_ROOT, 'containers', 'todo', 'src', 'server.ts');
const PRELOAD = path.join(__dirname, 'in-memory-s3.ts');
/** Prefixes as the platform passes them for the default routes of container "todo". */
export const TODO_BASE_PATHS = '/preview/todo,/todo';

export interface StartOptions {
  /**
   * The server to run: TypeScript source (through ts-node) or a bundle (plain node).
   * @default - containers/todo/src/server.ts
   */
  readonly entry?: string;
  /**
   * Mock S3 inside the child with an in-memory bucket; needs the TypeScript source, because a
   * bundle carries its own copy of the SDK that the mock cannot reach.
   * @default false
   */
  readonly inMemoryS3?: boolean;
  /** @default - no delay */
  readonly s3DelayMs?: number;
  /**
   * Extra environment (TODO_BUCKET, AWS_ENDPOINT_URL, credentials, …) on top of a clean one.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;
  /** @default 20000 */
  readonly readyTimeoutMs?: number;
}

export interface TodoServer {
  /** e.g. http://127.0.0.1:53122 — no trailing slash. */
  readonly url: string;
  readonly process: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves to the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
  /** Sends the signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const running = new Set<ChildProcess>();

/** Kills every server still running (a test that failed half-way must not leave one listening). */
export async function killLeftoverServers(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          if (!child.kill('SIGKILL')) resolve();
        }),
    ),
  );
}

/** Starts the server on a free port and resolves once GET /healthz answers 200. */
export async function startTodoServer(options: StartOptions = {}): Promise<TodoServer> {
  const entry = options.entry ?? TODO_SERVER_SOURCE;
  const typescript = entry.endsWith('.ts');
  if (options.inMemoryS3 && !typescript) throw new Error('inMemoryS3 needs the TypeScript source: a bundle carries its own AWS SDK');
  const port = await freePort();
  // A clean environment: nothing of the caller's AWS or platform settings leaks into the server.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AWS_|FAAS_|TODO_|TS_NODE_)/.test(k)));
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    PORT: String(port),
    LISTEN_HOST: '127.0.0.1',
    FAAS_BASE_PATHS: TODO_BASE_PATHS,
    AWS_REGION: 'eu-west-1',
    ...(typescript ? { TS_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true' } : {}),
    ...(options.inMemoryS3
      ? { [IN_MEMORY_S3_FLAG]: '1', TODO_BUCKET: 'todo-test', [IN_MEMORY_S3_DELAY_MS]: String(options.s3DelayMs ?? 0) }
      : {}),
    ...options.env,
  };
  const args = [
    ...(typescript ? ['-r', require.resolve('ts-node/register/transpile-only')] : []),
    ...(options.inMemoryS3 ? ['-r', PRELOAD] : []),
    entry,
  ];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const server: TodoServer = {
    url: `http://127.0.0.1:${port}`,
    process: child,
    output: () => output,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20000);
  let ended = false;
  void exited.then(() => (ended = true));
  while (Date.now() < deadline && !ended) {
    try {
      const response = await fetch(`${server.url}/healthz`);
      if (response.status === 200) return server;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(
    `todo server did not become ready on ${server.url}${ended ? ` (it exited with ${child.exitCode})` : ''}; output:\n${output}`,
  );
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON body, or undefined when there is none. */
  readonly json: unknown;
}

export async function call(server: TodoServer, method: string, urlPath: string, body?: string): Promise<Answer> {
  const response = await fetch(`${server.url}${urlPath}`, {
    method,
    body,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text ? (JSON.parse(text) as unknown) : undefined };
}

interface TodoBody {
  id: string;
  title: string;
  createdAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STACK_TRACE = /\n\s+at |\.ts:\d+|node:internal/;

/**
 * The todo API's behaviour, through the paths API Gateway forwards (/todo/…): create, list, get,
 * delete, bad input → 400, unknown id → 404. `server` is read when the tests run.
 */
export function describeTodoApi(server: () => TodoServer): void {
  const create = async (title: string): Promise<TodoBody> => {
    const answer = await call(server(), 'POST', '/todo/todos', JSON.stringify({ title }));
    expect(answer.status).toBe(201);
    return answer.json as TodoBody;
  };

  describe('todo API', () => {
    test('GET /healthz answers 200 (the adapter readiness check)', async () => {
      const answer = await call(server(), 'GET', '/healthz');
      expect({ status: answer.status, body: answer.json }).toEqual({ status: 200, body: { status: 'ok' } });
    });

    test('POST /todo/todos creates a todo: 201 with id, trimmed title and creation time', async () => {
      // WHEN
      const answer = await call(server(), 'POST', '/todo/todos', JSON.stringify({ title: '  buy milk ' }));

      // THEN
      expect(answer.status).toBe(201);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      const todo = answer.json as TodoBody;
      expect(todo).toEqual({ id: expect.stringMatching(UUID), title: 'buy milk', createdAt: expect.any(String) });
      expect(Number.isNaN(Date.parse(todo.createdAt))).toBe(false);
    });

    test('GET /todo/todos/{id} returns the stored todo, through the preview prefix too', async () => {
      const created = await create('read the paper');
      for (const prefix of ['/todo', '/preview/todo']) {
        const answer = await call(server(), 'GET', `${prefix}/todos/${created.id}`);
        expect({ prefix, status: answer.status, body: answer.json }).toEqual({ prefix, status: 200, body: created });
      }
    });

    test('GET /todo/todos lists every todo across S3 result pages', async () => {
      // GIVEN three todos (the unit bucket pages two keys at a time)
      const created = [await create('one'), await create('two'), await create('three')];

      // WHEN
      const answer = await call(server(), 'GET', '/todo/todos');

      // THEN
      expect(answer.status).toBe(200);
      const { todos } = answer.json as { todos: TodoBody[] };
      expect(todos).toEqual(expect.arrayContaining(created));
    });

    test('DELETE /todo/todos/{id} removes it: 204, then 404 on get and on a second delete', async () => {
      // GIVEN
      const created = await create('take out the bins');

      // WHEN
      const deleted = await call(server(), 'DELETE', `/todo/todos/${created.id}`);

      // THEN
      expect({ status: deleted.status, text: deleted.text }).toEqual({ status: 204, text: '' });
      expect((await call(server(), 'GET', `/todo/todos/${created.id}`)).status).toBe(404);
      expect((await call(server(), 'DELETE', `/todo/todos/${created.id}`)).status).toBe(404);
      const { todos } = (await call(server(), 'GET', '/todo/todos')).json as { todos: TodoBody[] };
      expect(todos.map((t) => t.id)).not.toContain(created.id);
    });

    test('a title of exactly 200 characters is accepted', async () => {
      expect((await create('x'.repeat(200))).title).toHaveLength(200);
    });

    test.each([
      ['no title', '{}', /title is required/],
      ['a number', '{"title": 42}', /must be a string/],
      ['an empty title', '{"title": ""}', /must not be empty/],
      ['only spaces', '{"title": "   "}', /must not be empty/],
      ['201 characters', JSON.stringify({ title: 'x'.repeat(201) }), /at most 200 characters/],
      ['not JSON', '{"title": ', /body must be JSON/],
      ['a JSON array', '["buy milk"]', /title is required/],
    ])('bad input (%s) → 400 with a message and no stack trace', async (_label, body, message) => {
      const answer = await call(server(), 'POST', '/todo/todos', body);
      expect(answer.status).toBe(400);
      expect((answer.json as { message: string }).message).toMatch(message);
      expect(answer.text).not.toMatch(STACK_TRACE);
    });

    test.each([
      ['GET', 'an unknown id', '/todo/todos/00000000-0000-4000-8000-000000000000'],
      ['DELETE', 'an unknown id', '/todo/todos/00000000-0000-4000-8000-000000000000'],
      ['GET', 'a malformed id', '/todo/todos/..%2F..%2Fsecret'],
      ['GET', 'an unknown route', '/todo/nothing-here'],
    ])('%s with %s → 404 with a message', async (method, _label, urlPath) => {
      const answer = await call(server(), method, urlPath);
      expect(answer.status).toBe(404);
      expect((answer.json as { message: string }).message).toMatch(/no todo with id|no route/);
      expect(answer.text).not.toMatch(STACK_TRACE);
    });

    test('an unsupported method → 405 naming the allowed ones', async () => {
      const answer = await call(server(), 'PUT', '/todo/todos', '{}');
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('GET, POST');
    });
  });
}
