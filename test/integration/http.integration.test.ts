/**
 * The hello function through the REST API on the emulator: (a) the live route answers from the
 * live alias's version with the shared layer loaded, and rejects bad input without leaking
 * internals; (b) the preview route follows the preview alias when it moves to a new version,
 * while the live route stays where it was.
 */
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { functionNameOf, lambdaClient, readDeployment } from './harness/deployment';
import { scenarioTest } from './harness/scenario-report';

interface HelloBody {
  message: string;
  version: string;
  layer: string;
}

const deployment = readDeployment();
const client: LambdaClient = lambdaClient(deployment);
let functionName: string;

async function get(path: string): Promise<{ status: number; contentType: string; text: string }> {
  const response = await fetch(new URL(path.replace(/^\//, ''), deployment.apiUrl));
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

async function aliasVersion(name: string): Promise<string> {
  const alias = await client.send(new GetAliasCommand({ FunctionName: functionName, Name: name }));
  return alias.FunctionVersion!;
}

beforeAll(async () => {
  functionName = await functionNameOf(client, deployment.stackName, 'hello');
});

afterAll(() => client.destroy());

describe('a: GET /hello through API Gateway', () => {
  scenarioTest('a', 'answers 200 JSON from the live alias version, with the shared layer loaded', async () => {
    // GIVEN
    const liveVersion = await aliasVersion('live');

    // WHEN
    const response = await get('/hello');

    // THEN
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/application\/json/);
    const body = JSON.parse(response.text) as HelloBody;
    expect(body).toEqual({ message: 'Hello, world!', version: liveVersion, layer: 'faas-shared@1' });
    expect(liveVersion).toMatch(/^\d+$/);
  });

  scenarioTest('a-400', 'rejects a name with markup: 400 with a message and no stack trace', async () => {
    // WHEN
    const response = await get('/hello?name=%3Cscript%3E');

    // THEN
    expect(response.status).toBe(400);
    const body = JSON.parse(response.text) as { message?: unknown };
    expect(body.message).toEqual(expect.stringMatching(/name/));
    expect(Object.keys(body)).toEqual(['message']);
    expect(response.text).not.toMatch(/<script>|\bat .+:\d+:\d+|Error:/);
  });
});

describe('b: GET /preview/hello follows the preview alias', () => {
  let originalPreview: string | undefined;

  afterAll(async () => {
    // Later scenarios share this deployment: put the preview alias back where the deploy left it.
    if (originalPreview)
      await client.send(new UpdateAliasCommand({ FunctionName: functionName, Name: 'preview', FunctionVersion: originalPreview }));
  });

  scenarioTest('b', 'reaches the preview alias version', async () => {
    const previewVersion = await aliasVersion('preview');

    const response = await get('/preview/hello');

    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ message: 'Hello, world!', version: previewVersion, layer: 'faas-shared@1' });
  });

  scenarioTest('b-new', 'serves a newly published version on /preview while /hello stays on the live one', async () => {
    // GIVEN a second version with a changed configuration, and the preview alias moved to it
    const liveVersion = await aliasVersion('live');
    const preview = await client.send(new GetAliasCommand({ FunctionName: functionName, Name: 'preview' }));
    originalPreview = preview.FunctionVersion;
    const config = await client.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    await client.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: functionName,
        Environment: { Variables: { ...config.Environment?.Variables, GREETING: 'Hi' } },
      }),
    );
    await waitUntilFunctionUpdatedV2({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { FunctionName: functionName });
    const published = await client.send(new PublishVersionCommand({ FunctionName: functionName, Description: 'integration: GREETING=Hi' }));
    const newVersion = published.Version!;
    expect(newVersion).not.toBe(originalPreview);
    await client.send(
      new UpdateAliasCommand({ FunctionName: functionName, Name: 'preview', FunctionVersion: newVersion, RevisionId: preview.RevisionId }),
    );

    // WHEN
    const [previewResponse, liveResponse] = [await get('/preview/hello'), await get('/hello')];

    // THEN
    expect(previewResponse.status).toBe(200);
    expect(JSON.parse(previewResponse.text)).toEqual({ message: 'Hi, world!', version: newVersion, layer: 'faas-shared@1' });
    expect(liveResponse.status).toBe(200);
    expect(JSON.parse(liveResponse.text)).toEqual({ message: 'Hello, world!', version: liveVersion, layer: 'faas-shared@1' });
  });
});
