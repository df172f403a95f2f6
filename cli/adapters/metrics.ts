/**
 * What versions did behind the live alias, over @aws-sdk/client-cloudwatch: Invocations, Errors
 * and Duration p99 with the dimensions Lambda publishes for alias invocations (FunctionName,
 * Resource=<fn>:live, ExecutedVersion) for a step's window, per minute since the rollout began
 * (for the comparative test), and the state of named alarms.
 */
import { DescribeAlarmsCommand, GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { AlarmState } from '../engine/decide';
import type { VersionWindow } from '../engine/gates';
import type { MinuteCounts } from '../engine/sequential-test';
import { AwsError, awsFailure } from './failures';
import { LIVE_ALIAS } from '../../lib/contract';

const MINUTE_MS = 60_000;

export class MetricsAdapter {
  constructor(private readonly client: CloudWatchClient) {}

  /**
   * One datapoint per metric covering [start, end], widened to whole minutes (CloudWatch's
   * resolution for Lambda), so p99 is the window's p99 and not a mix of per-minute ones.
   */
  async versionWindows(functionName: string, versions: readonly string[], start: Date, end: Date): Promise<Record<string, VersionWindow>> {
    const from = Math.floor(start.getTime() / MINUTE_MS) * MINUTE_MS;
    const to = Math.max(from + MINUTE_MS, Math.ceil(end.getTime() / MINUTE_MS) * MINUTE_MS);
    return this.query(functionName, versions, from, to, true);
  }

  /**
   * Invocations and errors per minute (Period 60) for the candidate and the stable version over
   * [⌊start⌋, ⌈end⌉) (at least one minute), for the stratified comparative test: each minute is
   * compared on its own, so the minutes must stay separate. Minutes CloudWatch has no datapoint
   * for are absent; a version missing in a minute counts 0 there. Oldest first.
   */
  async minuteCounts(functionName: string, candidate: string, stable: string, start: Date, end: Date): Promise<MinuteCounts[]> {
    const from = Math.floor(start.getTime() / MINUTE_MS) * MINUTE_MS;
    const to = Math.max(from + MINUTE_MS, Math.ceil(end.getTime() / MINUTE_MS) * MINUTE_MS);
    const results = await this.fetch(functionName, [candidate, stable], from, to, MINUTE_MS / 1000, false);
    const minutes = new Map<number, { candidate: VersionWindow; stable: VersionWindow }>();
    const add = (id: string, version: 'candidate' | 'stable', field: 'invocations' | 'errors') => {
      for (const [t, value] of results.get(id) ?? []) {
        const m = minutes.get(t) ?? { candidate: { invocations: 0, errors: 0 }, stable: { invocations: 0, errors: 0 } };
        minutes.set(t, { ...m, [version]: { ...m[version], [field]: m[version][field] + value } });
      }
    };
    add('inv0', 'candidate', 'invocations');
    add('err0', 'candidate', 'errors');
    add('inv1', 'stable', 'invocations');
    add('err1', 'stable', 'errors');
    return [...minutes.entries()].sort(([a], [b]) => a - b).map(([, m]) => m);
  }

  private async query(
    functionName: string,
    versions: readonly string[],
    from: number,
    to: number,
    withP99: boolean,
  ): Promise<Record<string, VersionWindow>> {
    const values = await this.fetch(functionName, versions, from, to, (to - from) / 1000, withP99);
    const of = (id: string) => (values.get(id) ?? []).map(([, v]) => v);
    const sum = (id: string) => of(id).reduce((a, b) => a + b, 0);
    const windows: Record<string, VersionWindow> = {};
    versions.forEach((version, i) => {
      const p99 = of(`dur${i}`);
      windows[version] = { invocations: sum(`inv${i}`), errors: sum(`err${i}`), ...(p99.length > 0 ? { p99Ms: Math.max(...p99) } : {}) };
    });
    return windows;
  }

  /**
   * [timestamp, value] pairs per query Id, over every page. A result whose StatusCode is not
   * 'Complete' after the last page (InternalError, Forbidden, PartialData without a NextToken) is
   * an error: reading it as zeros would let a candidate pass on missing data.
   */
  private async fetch(
    functionName: string,
    versions: readonly string[],
    from: number,
    to: number,
    period: number,
    withP99: boolean,
  ): Promise<Map<string, Array<[number, number]>>> {
    const queries: MetricDataQuery[] = versions.flatMap((version, i) => {
      const dims = [
        { Name: 'FunctionName', Value: functionName },
        { Name: 'Resource', Value: `${functionName}:${LIVE_ALIAS}` },
        { Name: 'ExecutedVersion', Value: version },
      ];
      const metric = (id: string, name: string, stat: string): MetricDataQuery => ({
        Id: `${id}${i}`,
        MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: name, Dimensions: dims }, Period: period, Stat: stat },
        ReturnData: true,
      });
      return [metric('inv', 'Invocations', 'Sum'), metric('err', 'Errors', 'Sum'), ...(withP99 ? [metric('dur', 'Duration', 'p99')] : [])];
    });
    const values = new Map<string, Array<[number, number]>>();
    const status = new Map<string, string>();
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(from), EndTime: new Date(to), NextToken: token }),
        );
        for (const result of page.MetricDataResults ?? []) {
          const id = result.Id ?? '';
          const points = (result.Values ?? []).map((v, k): [number, number] => [result.Timestamps?.[k]?.getTime() ?? from, v]);
          values.set(id, [...(values.get(id) ?? []), ...points]);
          // The last page's status stands: PartialData is followed by the rest under NextToken.
          if (result.StatusCode !== undefined) status.set(id, result.StatusCode);
        }
        token = page.NextToken;
      } while (token);
    } catch (error) {
      throw awsFailure(`GetMetricData for ${functionName}`, error);
    }
    const incomplete = [...status.entries()].filter(([, code]) => code !== 'Complete');
    if (incomplete.length > 0) {
      throw new AwsError(
        `GetMetricData for ${functionName} returned incomplete results: ${incomplete.map(([id, code]) => `${id} ${code}`).join(', ')}`,
        'retry in a moment; if it repeats, check cloudwatch:GetMetricData permissions and the region (AWS_REGION)',
      );
    }
    return values;
  }

  /** State of each named alarm; names CloudWatch does not know are listed in `missing`. */
  async alarmStates(names: readonly string[]): Promise<{ states: Array<{ name: string; state: AlarmState }>; missing: string[] }> {
    if (names.length === 0) return { states: [], missing: [] };
    const found = new Map<string, AlarmState>();
    try {
      for (let i = 0; i < names.length; i += 100) {
        let token: string | undefined;
        do {
          const page = await this.client.send(new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100), NextToken: token }));
          for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
            if (alarm.AlarmName) found.set(alarm.AlarmName, (alarm.StateValue ?? 'INSUFFICIENT_DATA') as AlarmState);
          }
          token = page.NextToken;
        } while (token);
      }
    } catch (error) {
      throw awsFailure('DescribeAlarms', error);
    }
    return {
      states: names.filter((n) => found.has(n)).map((name) => ({ name, state: found.get(name)! })),
      missing: names.filter((n) => !found.has(n)),
    };
  }
}
