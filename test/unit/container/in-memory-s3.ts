/**
 * An in-memory S3 bucket behind aws-sdk-client-mock: PutObject, GetObject, HeadObject,
 * ListObjectsV2 (two keys per page, so callers must follow continuation tokens) and DeleteObject.
 *
 * Also a preload for the todo server's child process — `node -r ts-node/register/transpile-only
 * -r test/unit/container/in-memory-s3.ts …` — that installs the mock only when the test sets
 * FAAS_TEST_S3_IN_MEMORY=1. Without the flag the process talks to real S3 (or AWS_ENDPOINT_URL).
 */
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';

export const IN_MEMORY_S3_FLAG = 'FAAS_TEST_S3_IN_MEMORY';
/** Delays every S3 answer, to hold a request in flight (graceful shutdown tests). */
export const IN_MEMORY_S3_DELAY_MS = 'FAAS_TEST_S3_DELAY_MS';
const PAGE_SIZE = 2;

/** Object bodies by "<bucket>/<key>". */
export type InMemoryObjects = Map<string, string>;

export function installInMemoryS3(delayMs = 0): { objects: InMemoryObjects; mock: ReturnType<typeof mockClient> } {
  const objects: InMemoryObjects = new Map();
  const mock = mockClient(S3Client);
  const later = <T>(answer: () => T): Promise<T> =>
    new Promise((resolve, reject) =>
      setTimeout(() => {
        try {
          resolve(answer());
        } catch (error) {
          reject(error);
        }
      }, delayMs),
    );
  const existing = (bucket: string | undefined, key: string | undefined, missing: () => Error): string => {
    const body = objects.get(`${bucket}/${key}`);
    if (body === undefined) throw missing();
    return body;
  };
  const noSuchKey = () => new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
  const notFound = () => new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });

  mock.on(PutObjectCommand).callsFake((input) =>
    later(() => {
      if (typeof input.Body !== 'string') throw new Error('in-memory S3 stores string bodies only');
      objects.set(`${input.Bucket}/${input.Key}`, input.Body);
      return { ETag: '"memory"' };
    }),
  );
  mock.on(GetObjectCommand).callsFake((input) => later(() => ({ Body: sdkStream(existing(input.Bucket, input.Key, noSuchKey)) })));
  mock
    .on(HeadObjectCommand)
    .callsFake((input) => later(() => ({ ContentLength: Buffer.byteLength(existing(input.Bucket, input.Key, notFound)) })));
  mock.on(DeleteObjectCommand).callsFake((input) =>
    later(() => {
      objects.delete(`${input.Bucket}/${input.Key}`);
      return {};
    }),
  );
  mock.on(ListObjectsV2Command).callsFake((input) =>
    later(() => {
      const bucketPrefix = `${input.Bucket}/`;
      const keys = [...objects.keys()]
        .filter((k) => k.startsWith(bucketPrefix))
        .map((k) => k.slice(bucketPrefix.length))
        .filter((k) => k.startsWith(input.Prefix ?? ''))
        .sort();
      const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0;
      const page = keys.slice(start, start + PAGE_SIZE);
      const more = start + PAGE_SIZE < keys.length;
      return {
        Contents: page.map((Key) => ({ Key })),
        KeyCount: page.length,
        IsTruncated: more,
        NextContinuationToken: more ? String(start + PAGE_SIZE) : undefined,
      };
    }),
  );
  return { objects, mock };
}

/** A GetObject body as the SDK returns it in Node.js: a Readable with the SDK's transform helpers. */
function sdkStream(text: string) {
  const stream = Readable.from([Buffer.from(text, 'utf8')]);
  return Object.assign(stream, {
    transformToString: async () => text,
    transformToByteArray: async () => new Uint8Array(Buffer.from(text, 'utf8')),
    transformToWebStream: () => Readable.toWeb(stream) as unknown as ReadableStream,
  });
}

if (process.env[IN_MEMORY_S3_FLAG] === '1') {
  installInMemoryS3(Number(process.env[IN_MEMORY_S3_DELAY_MS] ?? '0'));
}
