/**
 * Todos in S3, one object per todo under todos/<id>.json. Nothing is kept in memory: any instance
 * (or any number of them) answers from the bucket, which is what a FaaS platform needs.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';

export interface Todo {
  readonly id: string;
  readonly title: string;
  /** ISO-8601, set by the server. */
  readonly createdAt: string;
}

export interface TodoStore {
  create(title: string): Promise<Todo>;
  list(): Promise<Todo[]>;
  /** undefined when there is no such todo. */
  get(id: string): Promise<Todo | undefined>;
  /** false when there was no such todo. */
  remove(id: string): Promise<boolean>;
}

const PREFIX = 'todos/';
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Ids are server-made UUIDs; anything else cannot name a todo (and never reaches an S3 key). */
export function isTodoId(id: string): boolean {
  return ID.test(id);
}

export class S3TodoStore implements TodoStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async create(title: string): Promise<Todo> {
    const todo: Todo = { id: randomUUID(), title, createdAt: new Date().toISOString() };
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: keyOf(todo.id), Body: JSON.stringify(todo), ContentType: 'application/json' }),
    );
    return todo;
  }

  async list(): Promise<Todo[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: PREFIX, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key).filter((k): k is string => k !== undefined && k.endsWith('.json')));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    const ids = keys.map((k) => k.slice(PREFIX.length, -'.json'.length)).filter(isTodoId);
    // A todo deleted between the listing and the read is simply not listed.
    const todos = (await Promise.all(ids.map((id) => this.get(id)))).filter((t): t is Todo => t !== undefined);
    return todos.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<Todo | undefined> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: keyOf(id) }));
      return parseTodo(await object.Body?.transformToString(), id);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async remove(id: string): Promise<boolean> {
    // DeleteObject succeeds for missing keys too; the API answers 404 for unknown ids.
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: keyOf(id) }));
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: keyOf(id) }));
    return true;
  }
}

function keyOf(id: string): string {
  return `${PREFIX}${id}.json`;
}

function isMissing(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, $metadata } = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  return name === 'NoSuchKey' || name === 'NotFound' || $metadata?.httpStatusCode === 404;
}

function parseTodo(text: string | undefined, id: string): Todo {
  const value: unknown = JSON.parse(text ?? '');
  if (typeof value === 'object' && value !== null) {
    const { title, createdAt } = value as Record<string, unknown>;
    if (typeof title === 'string' && typeof createdAt === 'string') return { id, title, createdAt };
  }
  throw new Error(`stored todo ${id} is not a todo object`);
}
