/**
 * Routes that only let in who the declaration allows, over HTTP on the emulator (faas.config.ts):
 *   k1. POST /worker/jobs (apiKey): 403 without the usage plan's key or with a wrong one, 202 with it;
 *   k2. GET /hello/internal (iam, api.auth): 403 without a signature, 200 SigV4-signed;
 *       k2-forged: a forged signature is refused — only where the emulator verifies signatures;
 *   k3. GET /hello/team (gatekeeper TOKEN authorizer): 401 without a token, 403 with a wrong one,
 *       200 with dev's team token; /preview/hello/team the same;
 *   k4. POST /worker/jobs: a body breaking queue.bodySchema is refused with 400 and not queued;
 *   k5. a body above queue.maxBodyBytes is refused with 400 and not queued;
 *   k6. GET /hello (declared public) needs nothing.
 * What API Gateway checks without the emulator (template per auth kind) is test/unit/auth.test.ts's.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { API_KEY_HEADER, apiKeyValue, DEV_TEAM_TOKEN, signedGet } from './harness/api-access';
import { capabilities, formatMatrix } from './harness/capabilities';
import { routeUrls } from './harness/data-plane';
import { allOutputs, readDeployment } from './harness/deployment';
import { REGION } from './harness/emulator';
import { scenarioTest, scenarioTestUnless } from './harness/scenario-report';

const deployment = readDeployment();
const caps = capabilities(deployment);
console.log(formatMatrix(deployment.endpoint, caps));
const routes = routeUrls(deployment.outputs, deployment.endpoint);
const route = (method: string, path: string) => {
  const found = routes.find((r) => r.method === method && r.path === path);
  if (!found)
    throw new Error(`no route ${method} ${path} in the deployment (routes: ${routes.map((r) => `${r.method} ${r.path}`).join(', ')})`);
  return found;
};
const sqs = new SQSClient({ endpoint: deployment.endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const queueUrl = allOutputs(deployment).Queueworker;
let apiKey: string;

beforeAll(async () => {
  apiKey = await apiKeyValue(deployment);
});

afterAll(() => sqs.destroy());

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

/** Messages sent to the jobs queue so far (SQS's own counter): a refused job must not move it. */
async function sentCount(): Promise<number> {
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const a = attributes.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

describe('k: who may call which route', () => {
  scenarioTestUnless(
    caps['api-sqs-integration'].supported
      ? undefined
      : `the endpoint has no API Gateway → SQS integration: ${caps['api-sqs-integration'].reason}`,
    'k1',
    "POST /worker/jobs (apiKey): 403 without the key or with a wrong one, 202 with the usage plan's key",
    async () => {
      const url = route('POST', '/worker/jobs').live;
      const job = JSON.stringify({ id: 'auth-k1', action: 'wordcount', text: 'only with a key' });
      const without = await post(url, job);
      const wrong = await post(url, job, { [API_KEY_HEADER]: 'not-the-key-0000000000000000000000' });
      const withKey = await post(url, job, { [API_KEY_HEADER]: apiKey });
      expect({ without: without.status, wrong: wrong.status, withKey: withKey.status }).toEqual({ without: 403, wrong: 403, withKey: 202 });
      expect(await withKey.json()).toEqual({ messageId: expect.any(String) });
      return "no key 403, wrong key 403, the plan's key 202";
    },
  );

  scenarioTest('k2', 'GET /hello/internal (iam): 403 without a signature, 200 SigV4-signed, on live and /preview', async () => {
    const { live, preview } = route('GET', '/hello/internal');
    const unsigned = await fetch(live);
    const signed = await signedGet(live);
    const signedPreview = await signedGet(preview);
    expect({ unsigned: unsigned.status, signed: signed.status, preview: signedPreview.status }).toEqual({
      unsigned: 403,
      signed: 200,
      preview: 200,
    });
    expect(await signed.json()).toMatchObject({ message: 'Hello, world!' });
    return (
      'unsigned 403, signed 200 (live and /preview); ' +
      `signatures ${caps['apigw-iam-signature'].supported ? 'verified' : 'not verified by this emulator'}`
    );
  });

  scenarioTestUnless(
    caps['apigw-iam-signature'].supported
      ? undefined
      : `the emulator does not verify SigV4 signatures (${caps['apigw-iam-signature'].reason}); ` +
          "the method's AWS_IAM setting is asserted in test/unit/auth.test.ts",
    'k2-forged',
    'GET /hello/internal refuses a forged signature with 403',
    async () => {
      const response = await fetch(route('GET', '/hello/internal').live, {
        headers: {
          authorization:
            'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=0000',
        },
      });
      expect(response.status).toBe(403);
    },
  );

  scenarioTest(
    'k3',
    'GET /hello/team (TOKEN authorizer): 401 without a token, 403 with a wrong one, 200 with the team token, on live and /preview',
    async () => {
      const { live, preview } = route('GET', '/hello/team');
      const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
      const none = await fetch(live);
      const wrong = await fetch(live, bearer('not-a-team-token-42'));
      const team = await fetch(live, bearer(DEV_TEAM_TOKEN));
      const previewNone = await fetch(preview);
      const previewTeam = await fetch(preview, bearer(DEV_TEAM_TOKEN));
      expect({
        none: none.status,
        wrong: wrong.status,
        team: team.status,
        previewNone: previewNone.status,
        previewTeam: previewTeam.status,
      }).toEqual({
        none: 401,
        wrong: 403,
        team: 200,
        previewNone: 401,
        previewTeam: 200,
      });
      expect(await team.json()).toMatchObject({ message: 'Hello, world!' });
      return 'no token 401, wrong token 403, team token 200 (live and /preview)';
    },
  );

  scenarioTestUnless(
    caps['apigw-body-schema'].supported
      ? undefined
      : `the emulator does not validate request bodies (${caps['apigw-body-schema'].reason}); ` +
          'the model and validator on POST /worker/jobs are asserted in test/unit/auth.test.ts',
    'k4',
    'POST /worker/jobs with a body breaking queue.bodySchema: 400 with the reason, nothing queued',
    async () => {
      const before = await sentCount();
      const response = await post(route('POST', '/worker/jobs').live, JSON.stringify({ id: 'auth-k4' }), { [API_KEY_HEADER]: apiKey });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(/schema/);
      expect(await sentCount()).toBe(before);
    },
  );

  scenarioTestUnless(
    caps['sqs-max-message-size'].supported && caps['api-sqs-integration'].supported
      ? undefined
      : `the emulator's SQS does not enforce MaximumMessageSize (${caps['sqs-max-message-size'].reason}); ` +
          "the queue's MaximumMessageSize is asserted in test/unit/auth.test.ts",
    'k5',
    'POST /worker/jobs with a body above queue.maxBodyBytes (64 KiB): 400, nothing queued',
    async () => {
      const before = await sentCount();
      const response = await post(
        route('POST', '/worker/jobs').live,
        JSON.stringify({ id: 'auth-k5', action: 'wordcount', text: 'x'.repeat(70_000) }),
        { [API_KEY_HEADER]: apiKey },
      );
      expect(response.status).toBe(400);
      expect(await sentCount()).toBe(before);
    },
  );

  scenarioTest('k6', 'GET /hello (declared public) answers without credentials', async () => {
    const response = await fetch(route('GET', '/hello').live);
    expect(response.status).toBe(200);
  });
});
