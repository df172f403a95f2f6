/**
 * The todo container's server, run as a process the way the image runs it: on a free port, ready
 * when /healthz answers, S3 mocked inside the child with aws-sdk-client-mock. The same scenario
 * runs against an emulator's S3 in the integration tests (todo-scenario.ts).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { S3TodoStore } from '../../../containers/todo/src/todo-store';
import { readTitle, MAX_TITLE_LENGTH } from '../../../containers/todo/src/app';
import { installInMemoryS3 } from './in-memory-s3';
import { call, describeTodoApi, killLeftoverServers, startTodoServer, type TodoServer } from './todo-scenario';

jest.setTimeout(60000);
afterAll(killLeftoverServers);

describe('todo server as a process, S3 mocked in the child', () => {
  let server: TodoServer;
  beforeAll(async () => {
    server = await startTodoServer({ inMemoryS3: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  describeTodoApi(() => server);
});

describe('graceful shutdown on SIGTERM', () => {
  test('stops accepting, finishes the request in flight, exits 0', async () => {
    // GIVEN a server whose S3 answers take 600 ms, and a create request in flight
    const server = await startTodoServer({ inMemoryS3: true, s3DelayMs: 600 });
    const inFlight = call(server, 'POST', '/todo/todos', JSON.stringify({ title: 'finish me' }));
    await new Promise((resolve) => setTimeout(resolve, 150));

    // WHEN Lambda (or Docker) sends SIGTERM
    server.process.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));

    // THEN new connections are refused
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    // AND the request in flight completes
    const answer = await inFlight;
    expect(answer.status).toBe(201);
    expect((answer.json as { title: string }).title).toBe('finish me');
    // AND the process exits 0 and says why
    await expect(server.exited).resolves.toBe(0);
    expect(server.output()).toMatch(/"message":"stopped"/);
  });

  test('an idle server exits 0 at once', async () => {
    const server = await startTodoServer({ inMemoryS3: true });
    const started = Date.now();
    await expect(server.stop('SIGTERM')).resolves.toBe(0);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('startup settings', () => {
  test('without TODO_BUCKET the server refuses to start and says which setting is missing', async () => {
    await expect(startTodoServer({ inMemoryS3: true, env: { TODO_BUCKET: '' }, readyTimeoutMs: 15000 })).rejects.toThrow(
      /TODO_BUCKET is not set/,
    );
  });
});

describe('state lives in S3, not in the process', () => {
  test('a todo removed from the bucket behind the server is gone from the next read', async () => {
    // GIVEN the store on a mocked S3 and a todo in it
    const { objects, mock } = installInMemoryS3();
    try {
      const store = new S3TodoStore(new S3Client({ region: 'eu-west-1' }), 'bucket');
      const todo = await store.create('ephemeral');
      expect(await store.get(todo.id)).toEqual(todo);

      // WHEN another instance deletes the object
      objects.delete(`bucket/todos/${todo.id}.json`);

      // THEN this instance does not remember it
      expect(await store.get(todo.id)).toBeUndefined();
      expect(await store.list()).toEqual([]);
    } finally {
      mock.restore();
    }
  });

  test('titles are validated before anything is stored', () => {
    expect(readTitle({ title: 'ok' })).toEqual({ ok: true, title: 'ok' });
    expect(readTitle({ title: '🙂'.repeat(MAX_TITLE_LENGTH) })).toEqual({ ok: true, title: '🙂'.repeat(MAX_TITLE_LENGTH) });
    expect(readTitle(null)).toMatchObject({ ok: false });
  });
});
