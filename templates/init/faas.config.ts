/**
 * The one place where this app's functions are declared; `npx cdk synth -c stage=prod` applies
 * the overrides under `stages.prod`. Every field and its default: faas-platform's README.
 */
import { defineConfig } from 'faas-platform/config';

export default defineConfig({
  app: '__APP__',
  functions: {
    // functions/hello/index.ts, behind GET /hello; new versions go live through `npx faas canary hello`.
    hello: {
      memoryMB: 256,
      timeoutSeconds: 5,
      environment: { GREETING: 'Hello' },
      routes: [{ method: 'GET', path: '/hello' }],
      alarms: { errors: 1, p99Ms: 1500 },
    },
  },
  stages: {
    dev: {},
    prod: { functions: { hello: { memoryMB: 512 } } },
  },
});
