/**
 * The one place where this app's functions are declared. `npm run synth -- -c stage=prod`
 * applies the prod overrides below; the schema and every field's default are in
 * lib/declaration/schema.ts and the README's declaration reference.
 */
import { defineConfig } from './lib/config';

export default defineConfig({
  app: 'faas',
  api: {
    throttleRateLimit: 50,
    throttleBurstLimit: 100,
    // Every route that says nothing else takes SigV4 (callers need execute-api:Invoke on it); public is always said out loud.
    auth: { kind: 'iam' },
    // Per API key, for the apiKey routes (POST /worker/jobs): 20 requests/s, bursts of 40, 100k a day.
    usagePlan: { rateLimit: 20, burstLimit: 40, quota: { limit: 100000, period: 'DAY' } },
  },
  functions: {
    hello: {
      memoryMB: 256,
      timeoutSeconds: 5,
      layers: ['shared'],
      environment: { GREETING: 'Hello' },
      routes: [
        { method: 'GET', path: '/hello', auth: { kind: 'none', reason: 'public greeting: no data behind it, input validated' } },
        // The same greeting for the team: a bearer token checked by the gatekeeper function (answers cached 5 minutes).
        { method: 'GET', path: '/hello/team', auth: { kind: 'authorizer', function: 'gatekeeper' } },
        // For services of the account: api.auth (iam) applies.
        { method: 'GET', path: '/hello/internal' },
      ],
      release: { mode: 'alias', initialWeight: 0 },
      alarms: { errors: 1, p99Ms: 1500 },
    },
    // Peak shaving: POST /worker/jobs → queue → worker, at most 5 at a time; failed jobs back off, then go to the DLQ.
    worker: {
      memoryMB: 256,
      timeoutSeconds: 20,
      environment: { BACKOFF_BASE_SECONDS: '10', BACKOFF_MAX_SECONDS: '900' },
      queue: {
        batchSize: 10,
        maxBatchingWindowSeconds: 2,
        maxConcurrency: 5,
        maxReceiveCount: 5,
        // Only holders of the usage plan's key may queue jobs, of at most 64 KiB, shaped as the worker expects.
        auth: { kind: 'apiKey' },
        maxBodyBytes: 65536,
        bodySchema: {
          type: 'object',
          required: ['id', 'action'],
          properties: { id: { type: 'string', minLength: 1 }, action: { type: 'string', minLength: 1 } },
        },
      },
    },
    // ETL: an order written to in/*.json is summarised to out/ (audited); a malformed one ends in the failure queue with the reason.
    transform: {
      memoryMB: 512,
      timeoutSeconds: 30,
      triggers: { s3: { prefix: 'in/', suffix: '.json', outputPrefix: 'out/' } },
      // A success record (which object produced which) goes to the audit function.
      async: { retryAttempts: 1, maxEventAgeSeconds: 3600, onSuccess: { kind: 'function', name: 'audit' } },
    },
    // transform's OnSuccess destination: logs which output came from which input.
    audit: { memoryMB: 128, timeoutSeconds: 10 },
    // TOKEN authorizer of GET /hello/team: allows bearer tokens whose SHA-256 is listed; none listed denies all.
    gatekeeper: { memoryMB: 128, timeoutSeconds: 3 },
  },
  containers: {
    // Alibaba FC's custom container: your own HTTP server (port 8080, /healthz) behind the Lambda Web Adapter.
    todo: { bundle: { entry: 'src/server.ts' }, bucket: { environmentVariable: 'TODO_BUCKET' } },
  },
  stages: {
    // The emulator's local executor provides no @aws-sdk/client-s3: the dev build carries its own.
    dev: {
      // The integration suite queues 50 jobs in a burst (scenario d): per-key limits above the stage's own.
      api: { usagePlan: { rateLimit: 100, burstLimit: 200, quota: { limit: 100000, period: 'DAY' } } },
      functions: {
        transform: { bundleAwsSdk: true },
        // Short backoff: a poison job reaches the DLQ in ≤ 11 s instead of ≤ 150 s (integration scenario d).
        worker: { environment: { BACKOFF_BASE_SECONDS: '1', BACKOFF_MAX_SECONDS: '4' } },
        // The dev team token is "dev-team-token-0001" (README "Calling protected routes"); prod lists its own digests.
        gatekeeper: { environment: { ALLOWED_TOKEN_SHA256: 'cc70b30c5a54eba9f12693ef952c4ffdca00141ecec78930a7fbc7e7a555e580' } },
      },
    },
    prod: {
      functions: {
        hello: {
          reservedConcurrency: 50,
          // Warm instances only where they pay off: a floor of 2, scaling on use, more on weekday mornings.
          warm: {
            provisioned: 2,
            max: 10,
            utilizationTarget: 0.7,
            schedules: [
              { name: 'weekday-peak', expression: 'cron(0 7 ? * MON-FRI *)', minProvisioned: 5, maxProvisioned: 20 },
              { name: 'weekday-off-peak', expression: 'cron(0 19 ? * MON-FRI *)', minProvisioned: 2, maxProvisioned: 10 },
            ],
          },
        },
      },
    },
  },
});
