/**
 * The one place where this app's functions are declared; `npx cdk synth -c stage=prod` applies
 * the overrides under `stages.prod`. Every field and its default: faas-platform's README.
 */
import { defineConfig } from 'faas-platform/config';

export default defineConfig({
  app: '__APP__',
  // Who may call a route that says nothing else: SigV4-signed callers with execute-api:Invoke.
  // A route is public only when it says so, with a reason (synth lists every undecided route).
  api: { auth: { kind: 'iam' } },
  functions: {
    // functions/hello/index.ts, behind GET /hello; new versions go live through `npx faas canary hello`.
    hello: {
      memoryMB: 256,
      timeoutSeconds: 5,
      environment: { GREETING: 'Hello' },
      routes: [{ method: 'GET', path: '/hello', auth: { kind: 'none', reason: 'public greeting: no data behind it' } }],
      alarms: { errors: 1, p99Ms: 1500 },
    },
  },
  stages: {
    dev: {},
    prod: { functions: { hello: { memoryMB: 512 } } },
  },
});
