/**
 * Scenarios e and f: asynchronous invocation of the transform function on the deployed
 * dev stage, whose `live` alias carries the EventInvokeConfig (retryAttempts 1, OnFailure → the
 * platform's failure queue, output Failures<fn>), and whose bucket notifies `live` for in/*.json.
 *   e. an async invoke of `live` that fails → the failure queue receives the invocation record with
 *      the error; a success → the on-success destination (transform's is the audit function).
 *   f. in/<x>.json → out/<x>.json appears; a malformed object → the failure queue, with the key
 *      and the reason; the error is at least asserted in the function's log.
 * What the endpoint does with async config on an alias comes from the capability probe; a part it
 * cannot execute is skipped with the reason printed.
 *
 * "e (unqualified stand-in)" runs only where the alias path does not and the unqualified one does
 * (MiniStack): it is NOT the platform's path — S3, EventBridge and callers invoke `live`. It copies
 * the deployed config of `live` to $LATEST for the length of the test (printing it, deleting it
 * after) and checks what the alias path would deliver: the transform's error, with the object's key
 * and the reason, in the platform's failure queue, and `faas dlq peek transform` showing it.
 */
import {
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { capabilities, formatMatrix } from './harness/capabilities';
import { lambdaClient, readDeployment, allOutputs } from './harness/deployment';
import { REGION } from './harness/emulator';
import { runFaas } from './harness/faas-cli';
import { jsonLine, logEvents, logGroupOf } from './harness/logs';
import { scenarioTest, scenarioTestUnless } from './harness/scenario-report';

const deployment = readDeployment();
const caps = capabilities(deployment);
console.log(formatMatrix(deployment.endpoint, caps));

const outputs = allOutputs(deployment);
const transformName = outputs.Functiontransform;
const auditName = outputs.Functionaudit;
const bucket = outputs.Buckettransform;
const failuresUrl = outputs.Failurestransform;

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const lambda = lambdaClient(deployment);
const sqs = new SQSClient({ endpoint: deployment.endpoint, region: REGION, credentials });
const s3 = new S3Client({ endpoint: deployment.endpoint, region: REGION, forcePathStyle: true, credentials });
const run = Date.now().toString(36);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lambda waits a minute before the retry on AWS; emulators are faster. */
const FAILURE_BUDGET_MS = 150_000;
const RESULT_BUDGET_MS = 30_000;

const aliasFailure = caps['async-on-failure-alias'];
const aliasSuccess = caps['async-on-success-alias'];
const unqualifiedFailure = caps['async-on-failure-unqualified'];
const errorType = caps['function-error-type'];
/** The failure-queue scenarios also check the record's errorType (the handler's error name). */
const failurePath = !aliasFailure.supported ? aliasFailure.reason : !errorType.supported ? errorType.reason : undefined;

interface InvocationRecord {
  requestContext?: { condition?: string; approximateInvokeCount?: number; functionArn?: string };
  requestPayload?: { Records?: Array<{ s3?: { object?: { key?: string } } }> };
  responsePayload?: { errorType?: string; errorMessage?: string };
}

/** An S3 event for one object, as the bucket notification sends it. */
function s3Event(key: string, size: number): object {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: REGION,
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: { s3SchemaVersion: '1.0', bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key, size } },
      },
    ],
  };
}

/** Polls the failure queue (without consuming) for the invocation record about `key`. */
async function failureRecordFor(key: string, budgetMs: number): Promise<InvocationRecord | undefined> {
  const deadline = Date.now() + budgetMs;
  do {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: failuresUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 1 }),
    );
    for (const m of Messages) {
      const record = JSON.parse(m.Body ?? '{}') as InvocationRecord;
      if (record.requestPayload?.Records?.some((r) => r.s3?.object?.key === key)) return record;
    }
  } while (Date.now() < deadline);
  return undefined;
}

async function putObject(key: string, body: string): Promise<number> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
  return Buffer.byteLength(body);
}

async function objectText(key: string): Promise<string | undefined> {
  const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key }));
  if (!Contents.some((c) => c.Key === key)) return undefined;
  return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString('utf-8');
}

/** The transform's log lines since `since` that mention `needle`. */
async function transformLog(since: number, needle: string): Promise<string[]> {
  const group = await logGroupOf(lambda, transformName);
  return (await logEvents(deployment.endpoint, group, since)).map((e) => e.message).filter((m) => m.includes(needle));
}

/**
 * The record Lambda hands to the failure destination for the transform's MalformedObjectError.
 * `errorTypes`: what may stand in errorType — only the emulator-only stand-in accepts MiniStack's
 * generic Runtime.HandlerError (its warm workers report that for every handler error).
 */
function expectMalformedRecord(record: InvocationRecord, key: string, errorTypes: readonly string[] = ['MalformedObjectError']): void {
  expect(errorTypes).toContain(record.responsePayload?.errorType);
  expect(record.responsePayload?.errorMessage).toMatch(new RegExp(`s3://${bucket}/${key.replace(/[.]/g, '\\.')}: not JSON`));
  expect(record.requestContext?.condition).toBe('RetriesExhausted');
}

beforeAll(() => {
  expect({ transformName, auditName, bucket, failuresUrl }).toEqual({
    transformName: expect.any(String),
    auditName: expect.any(String),
    bucket: expect.any(String),
    failuresUrl: expect.any(String),
  });
});

afterAll(() => {
  lambda.destroy();
  sqs.destroy();
  s3.destroy();
});

describe('e: async invoke → destinations', () => {
  scenarioTestUnless(
    failurePath,
    'e (on-failure, live alias)',
    'an async invoke of live that fails → the failure queue has the record with the error',
    async () => {
      // GIVEN a malformed object outside the trigger's filter (not .json), so only our invoke reads it
      const key = `in/e-${run}.txt`;
      const size = await putObject(key, 'this is { not JSON');

      // WHEN live is invoked asynchronously with its S3 event
      const answer = await lambda.send(
        new InvokeCommand({
          FunctionName: transformName,
          Qualifier: 'live',
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify(s3Event(key, size))),
        }),
      );
      expect(answer.StatusCode).toBe(202);

      // THEN after the declared retries the record reaches Failures<transform>
      const record = await failureRecordFor(key, FAILURE_BUDGET_MS);
      expect(record).toBeDefined();
      expectMalformedRecord(record!, key);
      const { MaximumRetryAttempts } = await lambda.send(
        new GetFunctionEventInvokeConfigCommand({ FunctionName: transformName, Qualifier: 'live' }),
      );
      expect(record!.requestContext?.approximateInvokeCount).toBe((MaximumRetryAttempts ?? 2) + 1);
    },
    FAILURE_BUDGET_MS + 30_000,
  );

  // The stand-in exists only for endpoints where the platform's path (live) cannot run and the
  // unqualified one can; where live runs it is not a scenario at all (nothing is skipped by it).
  if (aliasFailure.supported)
    console.log("e (on-failure, unqualified stand-in): not registered — the platform's path (live alias) runs here");
  else
    scenarioTestUnless(
      unqualifiedFailure.supported ? undefined : `neither path delivers: ${unqualifiedFailure.reason}`,
      'e (on-failure, unqualified stand-in)',
      "NOT the platform path: live's deployed async config copied to $LATEST, " +
        "an unqualified failing invoke → the failure queue has the transform's error",
      async () => {
        // GIVEN the deployed config of live (from CloudFormation), copied to $LATEST for this test only
        const deployed = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: transformName, Qualifier: 'live' }));
        expect(deployed.DestinationConfig?.OnFailure?.Destination).toMatch(/^arn:aws:sqs:/);
        const copy = {
          MaximumRetryAttempts: deployed.MaximumRetryAttempts,
          MaximumEventAgeInSeconds: deployed.MaximumEventAgeInSeconds,
          DestinationConfig: deployed.DestinationConfig,
        };
        await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: transformName, ...copy }));
        console.log(
          `e (stand-in): put EventInvokeConfig on ${transformName} ($LATEST) = live's ${JSON.stringify(copy)}; deleted after this test`,
        );
        try {
          const key = `in/e-unqualified-${run}.txt`;
          const size = await putObject(key, 'this is { not JSON');

          // WHEN $LATEST is invoked asynchronously
          const answer = await lambda.send(
            new InvokeCommand({
              FunctionName: transformName,
              InvocationType: 'Event',
              Payload: Buffer.from(JSON.stringify(s3Event(key, size))),
            }),
          );
          expect(answer.StatusCode).toBe(202);

          // THEN the platform's failure queue has the record with the object's key and the reason
          const record = await failureRecordFor(key, 60_000);
          expect(record).toBeDefined();
          console.log(`e (stand-in): record ${JSON.stringify({ ...record!.requestContext, ...record!.responsePayload })}`);
          expectMalformedRecord(record!, key, ['MalformedObjectError', 'Runtime.HandlerError']);
          if (record!.responsePayload?.errorType !== 'MalformedObjectError') {
            console.log(
              `e (stand-in): the endpoint reports errorType ${record!.responsePayload?.errorType}, ` +
                "not the handler's MalformedObjectError (emulator gap)",
            );
          }

          // AND `faas dlq peek transform` shows it (the failure queue is transform's Dlq output)
          const peek = await runFaas(deployment, ['dlq', 'peek', 'transform', '--max', '10', '--json']);
          expect({ code: peek.code, stderr: peek.stderr }).toEqual({ code: 0, stderr: '' });
          expect((peek.json.messages as Array<{ body: string }>).some((m) => m.body.includes(key))).toBe(true);
        } finally {
          await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: transformName }));
        }
      },
      120_000,
    );

  scenarioTestUnless(
    aliasSuccess.supported ? undefined : aliasSuccess.reason,
    'e (on-success)',
    'a successful async invoke of live → its OnSuccess destination (the audit function) gets the success record',
    async () => {
      // GIVEN a valid order under the trigger prefix: the bucket invokes transform's live alias asynchronously
      const name = `e-ok-${run}.json`;
      const since = Date.now() - 1_000;
      await putObject(`in/${name}`, JSON.stringify({ orderId: `order-e-${run}`, items: [{ sku: 'A-1', quantity: 1, unitPrice: 1 }] }));

      // THEN transform's success record reaches audit (its live alias, asynchronously), which logs the output it names
      const group = await logGroupOf(lambda, auditName);
      let lines: string[] = [];
      while (
        (lines = (await logEvents(deployment.endpoint, group, since)).map((e) => e.message).filter((m) => m.includes(`out/${name}`)))
          .length === 0 &&
        Date.now() - since < RESULT_BUDGET_MS
      )
        await sleep(500);
      expect(lines).toHaveLength(1);
      const entry = jsonLine(lines[0]) ?? {};
      expect(entry).toMatchObject({
        message: 'audited',
        source: `in/${name}`,
        written: `out/${name}`,
        version: expect.stringMatching(/^\d+$/),
      });
      const logged = JSON.stringify({ source: entry.source, written: entry.written, version: entry.version });
      console.log(`e (on-success): audit logged ${logged} ${Date.now() - since} ms after the put`);
    },
    RESULT_BUDGET_MS + 30_000,
  );
});

describe('f: S3 trigger', () => {
  scenarioTest(
    'f (result)',
    'in/<x>.json → out/<x>.json with the order summary; nothing in the failure queue',
    async () => {
      // GIVEN a valid order
      const name = `f-${run}.json`;
      const order = {
        orderId: `order-${run}`,
        items: [
          { sku: 'A-1', quantity: 2, unitPrice: 3.5 },
          { sku: 'B-2', quantity: 1, unitPrice: 10 },
        ],
      };

      // WHEN it is written under the trigger prefix
      const started = Date.now();
      await putObject(`in/${name}`, JSON.stringify(order));

      // THEN its summary appears under the output prefix
      let text: string | undefined;
      while (!(text = await objectText(`out/${name}`)) && Date.now() - started < RESULT_BUDGET_MS) await sleep(250);
      expect(text).toBeDefined();
      expect(JSON.parse(text!)).toEqual({
        orderId: order.orderId,
        source: `s3://${bucket}/in/${name}`,
        itemCount: 3,
        total: 17,
        lines: [
          { sku: 'A-1', quantity: 2, lineTotal: 7 },
          { sku: 'B-2', quantity: 1, lineTotal: 10 },
        ],
      });
      console.log(`f: out/${name} appeared ${Date.now() - started} ms after the put`);
      // AND a success leaves no failure record
      expect(await failureRecordFor(`in/${name}`, 1_000)).toBeUndefined();
    },
    RESULT_BUDGET_MS + 30_000,
  );

  const malformedKey = `in/f-bad-${run}.json`;
  let malformedPutAt = 0;

  scenarioTest(
    'f (malformed, log)',
    'a malformed in/<x>.json: no output, the error with its key and reason in the function log',
    async () => {
      // WHEN a malformed object is written under the trigger prefix
      malformedPutAt = Date.now() - 1_000;
      await putObject(malformedKey, '{"orderId": "broken", "items": [');

      // THEN the transform's log names the object and the reason
      let lines: string[] = [];
      while (
        (lines = await transformLog(malformedPutAt, `s3://${bucket}/${malformedKey}`)).length === 0 &&
        Date.now() - malformedPutAt < RESULT_BUDGET_MS
      )
        await sleep(500);
      expect(lines.join('\n')).toMatch(/MalformedObjectError/);
      expect(lines.join('\n')).toMatch(new RegExp(`s3://${bucket}/${malformedKey.replace(/[.]/g, '\\.')}: not JSON`));
      // AND no output object
      expect(await objectText(malformedKey.replace(/^in\//, 'out/'))).toBeUndefined();
      console.log(`f: the malformed object's error is in the transform's log (${lines.length} lines name it)`);
    },
    RESULT_BUDGET_MS + 30_000,
  );

  scenarioTestUnless(
    failurePath === undefined ? undefined : `the bucket notifies live, and ${failurePath}`,
    'f (malformed, failure queue)',
    'a malformed in/<x>.json → the failure queue has the record with the key and the reason',
    async () => {
      // GIVEN the malformed object of the previous test (put it if that one did not run)
      if (!malformedPutAt) await putObject(malformedKey, '{"orderId": "broken", "items": [');

      // THEN after the declared retries
      const record = await failureRecordFor(malformedKey, FAILURE_BUDGET_MS);
      expect(record).toBeDefined();
      expectMalformedRecord(record!, malformedKey);
    },
    FAILURE_BUDGET_MS + 30_000,
  );
});
