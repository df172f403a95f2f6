/**
 * Scenario h: the container example's server, run as a plain process (no Docker), keeps its todos
 * in the emulator's S3. The same API checks run in the unit suite against an in-memory S3.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { call, describeTodoApi, startTodoServer, type TodoServer } from '../unit/container/todo-scenario';
import { scenarioTest } from './harness/scenario-report';
import { readDeployment } from './harness/deployment';
import { REGION } from './harness/emulator';

const deployment = readDeployment();
const bucket = `todo-it-${Date.now()}`;
const credentials = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
let server: TodoServer;

beforeAll(async () => {
  // GIVEN an empty bucket on the emulator
  const s3 = new S3Client({
    endpoint: deployment.endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // AND the server pointed at it through the standard SDK environment
  server = await startTodoServer({
    env: { ...credentials, AWS_ENDPOINT_URL: deployment.endpoint, AWS_REGION: REGION, TODO_BUCKET: bucket },
  });
});

afterAll(async () => {
  await server?.stop();
});

describeTodoApi(() => server);

describe('h: the todo server keeps its state in the emulator S3', () => {
  scenarioTest('h', 'todos created through the API are listed back from S3 by a fresh request', async () => {
    const created = await call(server, 'POST', '/todo/todos', JSON.stringify({ title: 'stored in S3' }));
    expect(created.status).toBe(201);
    const listed = await call(server, 'GET', '/todo/todos');
    expect(JSON.stringify(listed.json)).toContain('stored in S3');
  });
});
