/**
 * Per zip function (hello, worker, transform): the size of our esbuild bundle (the platform's
 * options: bundle, minify, no source map, target node20, cjs, externals @aws-sdk/* plus the
 * layer packages) and its cold init time, next to the same handler shipped the naive way (tsc
 * output plus the repository's node_modules), both measured in the same run.
 *
 * Cold init: a fresh `node` process that requires the handler and serves one realistic event;
 * the child measures require + first invocation (until its promise settles) with hrtime, the
 * parent also measures the whole process (spawn to exit, Node start-up included). Runs
 * alternate between the two variants after one discarded warm-up each, so both see the same
 * (warm) file cache. transform calls S3: AWS_ENDPOINT_URL points at a closed local port and
 * AWS_MAX_ATTEMPTS=1, so its invocation ends in a connection-refused error, which is counted
 * (the time includes that refused connect, for both variants). Credentials are dummies.
 *   npx ts-node --transpile-only bench/bundles.ts [runs=15]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { NODE_TARGET, RUNTIME_PROVIDED_MODULES } from '../lib/constructs/runtime';

const ROOT = path.resolve(__dirname, '..');
const LAYER_PACKAGES = [{ name: '@faas-platform/shared', entry: path.join(ROOT, 'layers/shared/faas-shared/src/index.ts') }];

interface FunctionCase {
  readonly name: string;
  readonly layers: readonly string[];
  readonly env: Record<string, string>;
  readonly event: unknown;
}

const FUNCTIONS: readonly FunctionCase[] = [
  {
    name: 'hello',
    layers: ['@faas-platform/shared'],
    env: { GREETING: 'Hello' },
    event: {
      resource: '/hello',
      path: '/hello',
      httpMethod: 'GET',
      headers: { Accept: '*/*' },
      multiValueHeaders: {},
      queryStringParameters: { name: 'bench' },
      multiValueQueryStringParameters: { name: ['bench'] },
      pathParameters: null,
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'bench',
        httpMethod: 'GET',
        path: '/live/hello',
        stage: 'live',
        requestId: 'r-1',
        resourceId: 'x',
        resourcePath: '/hello',
        protocol: 'HTTP/1.1',
        requestTimeEpoch: 0,
        identity: { sourceIp: '127.0.0.1' },
        authorizer: null,
      },
    },
  },
  {
    name: 'worker',
    layers: [],
    env: { FAAS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/worker', FAAS_MAX_RECEIVE_COUNT: '5' },
    event: {
      Records: [
        {
          messageId: 'm-1',
          receiptHandle: 'rh-1',
          body: JSON.stringify({ id: 'job-1', action: 'uppercase', text: 'hello bench' }),
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'bench', ApproximateFirstReceiveTimestamp: '0' },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:worker',
          awsRegion: 'us-east-1',
        },
      ],
    },
  },
  {
    name: 'transform',
    layers: [],
    env: { FAAS_INPUT_PREFIX: 'in/', FAAS_OUTPUT_PREFIX: 'out/' },
    event: {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'us-east-1',
          eventTime: '2026-01-01T00:00:00.000Z',
          eventName: 'ObjectCreated:Put',
          userIdentity: { principalId: 'bench' },
          requestParameters: { sourceIPAddress: '127.0.0.1' },
          responseElements: { 'x-amz-request-id': 'r', 'x-amz-id-2': 'i' },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'c',
            bucket: { name: 'bench-bucket', ownerIdentity: { principalId: 'bench' }, arn: 'arn:aws:s3:::bench-bucket' },
            object: { key: 'in/order-1.json', size: 64, eTag: 'e', sequencer: '0' },
          },
        },
      ],
    },
  },
];

/** The child: require the handler, serve one event, write the timings to BENCH_OUT. */
const DRIVER = `
const fs = require('fs');
const t0 = process.hrtime.bigint();
const mod = require(process.env.BENCH_HANDLER);
const t1 = process.hrtime.bigint();
const context = {
  functionName: 'bench',
  functionVersion: '1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench:live',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  logGroupName: 'bench',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30000,
  done() {},
  fail() {},
  succeed() {},
};
const event = JSON.parse(process.env.BENCH_EVENT);
Promise.resolve()
  .then(() => mod.handler(event, context))
  .then(() => [true, ''], (e) => [false, String(e && (e.code || e.name))])
  .then(([ok, error]) => {
    const t2 = process.hrtime.bigint();
    const timings = { requireMs: Number(t1 - t0) / 1e6, invokeMs: Number(t2 - t1) / 1e6, ok, error };
    fs.writeFileSync(process.env.BENCH_OUT, JSON.stringify(timings));
  });
`;

export interface BundleRow {
  readonly function: string;
  readonly bundleBytes: number;
  /** tsc output of the handler's own files (node_modules not counted). */
  readonly naiveOwnBytes: number;
  readonly runs: number;
  readonly ours: InitStats;
  readonly naive: InitStats;
  /** Median in-process init (require + first invocation), ours / naive. */
  readonly initRatio: number;
  /** Median whole-process time, ours / naive. */
  readonly processRatio: number;
}

export interface InitStats {
  readonly requireMsMedian: number;
  readonly initMsMedian: number;
  readonly processMsMedian: number;
  /** Whether the invocation resolved (false: it threw — expected for transform, see the header). */
  readonly ok: boolean;
  /** The invocation's error code or name when it threw (first run). */
  readonly error?: string;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function dirBytes(dir: string, skip: (p: string) => boolean = () => false): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (skip(p)) continue;
    total += entry.isDirectory() ? dirBytes(p, skip) : fs.statSync(p).size;
  }
  return total;
}

/** The shared layer as the runtime would mount it: <dir>/@faas-platform/shared/index.js. */
function buildLayer(dir: string): void {
  for (const pkg of LAYER_PACKAGES) {
    const target = path.join(dir, pkg.name);
    buildSync({
      entryPoints: [pkg.entry],
      outfile: path.join(target, 'index.js'),
      bundle: true,
      platform: 'node',
      target: NODE_TARGET,
      format: 'cjs',
      minify: true,
      external: ['@aws-sdk/*'],
      logLevel: 'error',
    });
    fs.writeFileSync(path.join(target, 'package.json'), JSON.stringify({ name: pkg.name, main: 'index.js' }));
  }
}

function buildOurs(fn: FunctionCase, outDir: string): string {
  const outfile = path.join(outDir, 'index.js');
  buildSync({
    entryPoints: [path.join(ROOT, 'functions', fn.name, 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: NODE_TARGET,
    minify: true,
    sourcemap: false,
    external: [...RUNTIME_PROVIDED_MODULES, ...LAYER_PACKAGES.map((p) => p.name)],
    logLevel: 'error',
  });
  return outfile;
}

function buildNaive(tmp: string): void {
  const config = {
    extends: path.join(ROOT, 'tsconfig.json'),
    compilerOptions: {
      outDir: path.join(tmp, 'naive'),
      rootDir: ROOT,
      noEmit: false,
      inlineSourceMap: false,
      inlineSources: false,
      sourceMap: false,
      types: ['node'],
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    },
    include: [],
    files: FUNCTIONS.map((fn) => path.join(ROOT, 'functions', fn.name, 'index.ts')),
  };
  const configPath = path.join(tmp, 'tsconfig.naive.json');
  fs.writeFileSync(configPath, JSON.stringify(config));
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', configPath], { encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
}

interface Sample {
  readonly requireMs: number;
  readonly invokeMs: number;
  readonly processMs: number;
  readonly ok: boolean;
  readonly error: string;
}

function runOnce(handler: string, fn: FunctionCase, nodePath: string, tmp: string): Sample {
  const out = path.join(tmp, 'result.json');
  fs.rmSync(out, { force: true });
  const t = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['-e', DRIVER], {
    cwd: tmp,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      NODE_PATH: nodePath,
      BENCH_HANDLER: handler,
      BENCH_EVENT: JSON.stringify(fn.event),
      BENCH_OUT: out,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
      POWERTOOLS_METRICS_NAMESPACE: 'bench',
      AWS_LAMBDA_FUNCTION_NAME: 'bench',
      ...fn.env,
    },
  });
  const processMs = Number(process.hrtime.bigint() - t) / 1e6;
  if (child.status !== 0 || !fs.existsSync(out)) throw new Error(`${fn.name}: child failed (${child.status}):\n${child.stderr}`);
  return { ...(JSON.parse(fs.readFileSync(out, 'utf8')) as Omit<Sample, 'processMs'>), processMs };
}

export function measureBundles(runs = 15): BundleRow[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-bench-bundles-'));
  try {
    const layerDir = path.join(tmp, 'layer', 'nodejs', 'node_modules');
    buildLayer(layerDir);
    buildNaive(tmp);
    // Both load @aws-sdk/* (the runtime's) and the layer from NODE_PATH; the naive one also
    // its node_modules (Powertools) from the repository's node_modules.
    const nodePath = [layerDir, path.join(ROOT, 'node_modules')].join(path.delimiter);
    return FUNCTIONS.map((fn) => {
      const oursFile = buildOurs(fn, path.join(tmp, 'ours', fn.name));
      const naiveFile = path.join(tmp, 'naive', 'functions', fn.name, 'index.js');
      const samples = { ours: [] as Sample[], naive: [] as Sample[] };
      runOnce(oursFile, fn, nodePath, tmp);
      runOnce(naiveFile, fn, nodePath, tmp);
      for (let i = 0; i < runs; i++) {
        samples.ours.push(runOnce(oursFile, fn, nodePath, tmp));
        samples.naive.push(runOnce(naiveFile, fn, nodePath, tmp));
      }
      const summarise = (s: Sample[]): InitStats => ({
        requireMsMedian: median(s.map((x) => x.requireMs)),
        initMsMedian: median(s.map((x) => x.requireMs + x.invokeMs)),
        processMsMedian: median(s.map((x) => x.processMs)),
        ok: s.every((x) => x.ok),
        ...(s.some((x) => !x.ok) ? { error: s.find((x) => !x.ok)!.error } : {}),
      });
      const ours = summarise(samples.ours);
      const naive = summarise(samples.naive);
      return {
        function: fn.name,
        bundleBytes: fs.statSync(oursFile).size,
        naiveOwnBytes: dirBytes(path.join(tmp, 'naive', 'functions', fn.name)),
        runs,
        ours,
        naive,
        initRatio: ours.initMsMedian / naive.initMsMedian,
        processRatio: ours.processMsMedian / naive.processMsMedian,
      };
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export function formatBundleTable(rows: readonly BundleRow[]): string {
  const header = [
    'function',
    'bundle',
    '≤ 50 KB',
    'ours: require / init / process (ms)',
    'naive: require / init / process (ms)',
    'init ours/naive',
    'process ours/naive',
    'invocation',
  ];
  const ms = (s: InitStats) => `${s.requireMsMedian.toFixed(1)} / ${s.initMsMedian.toFixed(1)} / ${s.processMsMedian.toFixed(1)}`;
  const lines = rows.map((r) => [
    r.function,
    `${(r.bundleBytes / 1024).toFixed(1)} KB`,
    r.bundleBytes <= 50 * 1024 ? 'yes' : 'no',
    ms(r.ours),
    ms(r.naive),
    r.initRatio.toFixed(2),
    r.processRatio.toFixed(2),
    r.ours.ok && r.naive.ok ? 'ok' : r.ours.ok === r.naive.ok ? `both threw ${r.ours.error ?? ''}` : 'differs!',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

if (require.main === module) {
  const rows = measureBundles(Number(process.argv[2] ?? 15));
  console.log(formatBundleTable(rows));
}
