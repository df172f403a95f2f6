import { GetObjectCommand, PutObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import type { Context, S3Event } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, MAX_OBJECT_BYTES } from '../../../functions/transform';

const s3Mock = mockClient(S3Client);
const context = {
  functionVersion: '2',
  functionName: 'transform',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:transform:live',
} as unknown as Context;
const BUCKET = 'faas-dev-transform-bucket';

function created(key: string, size = 100): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'eu-west-1',
        eventTime: '2026-11-22T10:00:00.000Z',
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'A' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'r', 'x-amz-id-2': 'i' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'c',
          bucket: { name: BUCKET, ownerIdentity: { principalId: 'A' }, arn: `arn:aws:s3:::${BUCKET}` },
          object: { key, size, eTag: 'e', sequencer: '1' },
        },
      },
    ],
  };
}

/** A GetObject answer whose body reads as `text`. */
const body = (text: string) => ({ Body: { transformToString: async () => text } }) as unknown as GetObjectCommandOutput;

const order = {
  orderId: 'o-42',
  items: [
    { sku: 'tea', quantity: 2, unitPrice: 3.5 },
    { sku: 'cup', quantity: 1, unitPrice: 0.1 },
  ],
};

beforeAll(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

beforeEach(() => {
  s3Mock.reset();
  s3Mock.on(PutObjectCommand).resolves({});
  process.env.FAAS_INPUT_PREFIX = 'in/';
  process.env.FAAS_OUTPUT_PREFIX = 'out/';
});

describe('transform handler', () => {
  test('reads the object and writes its summary under the output prefix, same relative key', async () => {
    // GIVEN an order at in/2026/o 42.json (S3 encodes the space as "+")
    s3Mock.on(GetObjectCommand, { Bucket: BUCKET, Key: 'in/2026/o 42.json' }).resolves(body(JSON.stringify(order)));

    // WHEN
    const written = await handler(created('in/2026/o+42.json'), context);

    // THEN
    expect(written).toEqual([{ bucket: BUCKET, key: 'out/2026/o 42.json' }]);
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: BUCKET, Key: 'in/2026/o 42.json' });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: BUCKET,
      Key: 'out/2026/o 42.json',
      ContentType: 'application/json',
    });
    const put = s3Mock.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(JSON.parse(String(put.Body))).toEqual({
      orderId: 'o-42',
      source: `s3://${BUCKET}/in/2026/o 42.json`,
      itemCount: 3,
      total: 7.1,
      lines: [
        { sku: 'tea', quantity: 2, lineTotal: 7 },
        { sku: 'cup', quantity: 1, lineTotal: 0.1 },
      ],
    });
  });

  test.each([
    ['not JSON', '{"orderId": ', /: not JSON/],
    ['no items', JSON.stringify({ orderId: 'o-1', items: [] }), /items must be a list of 1 to 1000 lines/],
    [
      'a bad quantity',
      JSON.stringify({ orderId: 'o-1', items: [{ sku: 'tea', quantity: 0, unitPrice: 1 }] }),
      /items\[0\]\.quantity must be a whole number above 0/,
    ],
    ['a bad orderId', JSON.stringify({ orderId: 'o 1', items: [{ sku: 'tea', quantity: 1, unitPrice: 1 }] }), /orderId must be/],
  ])('a malformed object (%s) fails the invocation with the object and the reason, and writes nothing', async (_label, text, reason) => {
    // GIVEN
    s3Mock.on(GetObjectCommand).resolves(body(text));

    // WHEN
    const run = handler(created('in/bad.json'), context);

    // THEN the error names the object and why: Lambda retries, then the on-failure record carries it
    await expect(run).rejects.toMatchObject({
      name: 'MalformedObjectError',
      message: expect.stringMatching(new RegExp(`^s3://${BUCKET}/in/bad\\.json: `)),
    });
    await expect(handler(created('in/bad.json'), context)).rejects.toThrow(reason);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  test('an object above the size limit is refused before it is read', async () => {
    await expect(handler(created('in/huge.json', MAX_OBJECT_BYTES + 1), context)).rejects.toThrow(/above the 5242880-byte limit/);
    expect(s3Mock).not.toHaveReceivedCommand(GetObjectCommand);
  });

  test('an S3 error is passed on as it is, so Lambda retries it', async () => {
    s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error('slow down'), { name: 'SlowDown' }));
    await expect(handler(created('in/a.json'), context)).rejects.toMatchObject({ name: 'SlowDown' });
  });

  test('never transforms its own output', async () => {
    const written = await handler(created('out/a.json'), context);
    expect(written).toEqual([]);
    expect(s3Mock).not.toHaveReceivedCommand(GetObjectCommand);
  });

  test('refuses to run without an output prefix', async () => {
    delete process.env.FAAS_OUTPUT_PREFIX;
    await expect(handler(created('in/a.json'), context)).rejects.toThrow(/FAAS_OUTPUT_PREFIX is not set/);
  });
});
