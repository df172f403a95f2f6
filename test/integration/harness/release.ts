/**
 * The hello function's releases on the deployment, as release scenarios and the emulator bench
 * drive them: read and await the live alias, publish a candidate through a real deploy (a variant
 * of the example app, harness/variant-app.ts) or from the deployed configuration with one change
 * (SDK, faster), and put live back as the deploy left it.
 */
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { waitReady } from './capabilities';
import { deployApp } from './deploy';
import { PROJECT_ROOT, type Deployment } from './deployment';
import { runFaas, type FaasOptions, type FaasRun } from './faas-cli';
import { startTraffic, type Answer } from './traffic';
import type { Variant } from './variant-app';

/**
 * Release scenarios compress time with the CLI's own options only (the default steps 1,3,20,50,100
 * stay); the bench's end-to-end figure uses the same, so it is comparable with the simulation's.
 */
export const FAST_ROLLOUT = { rampBake: '5s', bake: '10s', maxBake: '60s', poll: '1s', minInvocations: '3' } as const;
/** Requests per second of scenario traffic: well under the dev stage's throttle (50/s). */
export const SCENARIO_RPS = 20;
/** The bad candidate's share of failing requests (hello's FAULT_ERROR_RATE); the stable version fails none. */
export const BAD_ERROR_RATE = 0.3;

/** { rampBake: '5s', … } → ['--ramp-bake', '5s', …], as a user types them. */
export function rolloutArgs(flags: Readonly<Record<string, string>>): string[] {
  return Object.entries(flags).flatMap(([name, value]) => [`--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value]);
}

export interface LiveAlias {
  readonly version: string;
  readonly weights: Record<string, number>;
  readonly revisionId: string;
}

export class HelloReleases {
  constructor(
    private readonly client: LambdaClient,
    readonly functionName: string,
    private readonly deployment: Pick<Deployment, 'endpoint'>,
  ) {}

  async alias(name = 'live'): Promise<LiveAlias> {
    const alias = await this.client.send(new GetAliasCommand({ FunctionName: this.functionName, Name: name }));
    return { version: alias.FunctionVersion!, weights: alias.RoutingConfig?.AdditionalVersionWeights ?? {}, revisionId: alias.RevisionId! };
  }

  /** Polls live every 100 ms until `predicate` holds (e.g. the CLI has made a write). */
  async waitForLive(predicate: (alias: LiveAlias) => boolean, what: string, timeoutMs = 60_000): Promise<LiveAlias> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const alias = await this.alias();
      if (predicate(alias)) return alias;
      if (Date.now() > deadline)
        throw new Error(`live alias never reached ${what} within ${timeoutMs / 1000} s (now ${JSON.stringify(alias)})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * A new version through the real deploy path: the example app with hello's environment changed
   * by `environment` (over the declared one). Returns the version the deploy published — the
   * preview alias follows the newest version — and the deploy's time.
   */
  async deploy(environment: Record<string, string>): Promise<{ version: string; ms: number }> {
    const before = (await this.alias('preview')).version;
    const variant: Variant = { hello: environment };
    const { timings } = await deployApp(PROJECT_ROOT, this.deployment.endpoint, { variant, bootstrap: false });
    const after = (await this.alias('preview')).version;
    if (after === before)
      throw new Error(`the deploy of hello with ${JSON.stringify(environment)} published no new version (preview still on ${before})`);
    return { version: after, ms: timings.deployMs };
  }

  /** A version of the deployed configuration with `environment` changed, published through the SDK; $LATEST is put back. */
  async publish(environment: Record<string, string>, description: string, handler?: string): Promise<string> {
    const config = await this.client.send(new GetFunctionConfigurationCommand({ FunctionName: this.functionName }));
    const before = { Handler: config.Handler, Environment: { Variables: { ...config.Environment?.Variables } } };
    await this.client.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: this.functionName,
        Handler: handler ?? config.Handler,
        Environment: { Variables: { ...config.Environment?.Variables, ...environment } },
      }),
    );
    await waitReady(this.client, this.functionName);
    const published = await this.client.send(new PublishVersionCommand({ FunctionName: this.functionName, Description: description }));
    await this.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: this.functionName, ...before }));
    await waitReady(this.client, this.functionName);
    return published.Version!;
  }

  /** live → exactly `version` with `weights`. */
  async setLive(version: string, weights: Record<string, number> = {}): Promise<void> {
    await this.client.send(
      new UpdateAliasCommand({
        FunctionName: this.functionName,
        Name: 'live',
        FunctionVersion: version,
        RoutingConfig: { AdditionalVersionWeights: weights },
      }),
    );
  }
}

/** [lo, hi] holding a Binomial(n, p) draw with probability ≥ 1 − 1e-4 or so (±4 standard deviations). */
export function binomialBounds(n: number, p: number): [number, number] {
  const sd = Math.sqrt(n * p * (1 - p));
  return [Math.max(0, Math.floor(n * p - 4 * sd)), Math.min(n, Math.ceil(n * p + 4 * sd))];
}

export interface TrafficRollout {
  readonly cli: FaasRun;
  /** What users saw from the CLI's start to its exit. */
  readonly answers: Answer[];
  /** Achieved requests per second. */
  readonly rps: number;
}

/**
 * `faas canary hello <args> --json` while real traffic flows at SCENARIO_RPS through `helloUrl`,
 * after a few seconds of stable-only traffic, as a live service has.
 */
export async function canaryUnderTraffic(
  deployment: Pick<Deployment, 'endpoint' | 'stage'>,
  helloUrl: string,
  args: string[],
  options?: FaasOptions,
): Promise<TrafficRollout> {
  const traffic = startTraffic(helloUrl, { rps: SCENARIO_RPS, maxMs: 300_000 });
  try {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const from = traffic.answers.length;
    const cli = await runFaas(deployment, ['canary', 'hello', ...args, '--json'], options);
    const log = await traffic.stop();
    return { cli, answers: log.answers.slice(from), rps: log.rps };
  } finally {
    await traffic.stop();
  }
}
