/**
 * What versions did behind the live alias, over @aws-sdk/client-cloudwatch: Invocations, Errors
 * and Duration p99 with the dimensions Lambda publishes for alias invocations (FunctionName,
 * Resource=<fn>:live, ExecutedVersion) for a step's window and the lookback before it, and the
 * state of named alarms.
 */
import { DescribeAlarmsCommand, GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { AlarmState } from '../engine/decide';
import type { VersionWindow } from '../engine/gates';
import { awsFailure } from './failures';
import { LIVE_ALIAS } from './lambda';

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
   * Invocations and errors per version over the lookback before a step began, for the comparative
   * test (no p99: only counts are pooled). The window ends at the minute versionWindows starts the
   * step's own window from, so no minute is counted twice: [⌊stepStart⌋ − lookback, ⌊stepStart⌋),
   * the lookback rounded up to whole minutes.
   */
  async lookbackWindows(functionName: string, versions: readonly string[], stepStart: Date, lookbackMs: number): Promise<Record<string, VersionWindow>> {
    const to = Math.floor(stepStart.getTime() / MINUTE_MS) * MINUTE_MS;
    const from = to - Math.max(1, Math.ceil(lookbackMs / MINUTE_MS)) * MINUTE_MS;
    return this.query(functionName, versions, from, to, false);
  }

  private async query(functionName: string, versions: readonly string[], from: number, to: number, withP99: boolean): Promise<Record<string, VersionWindow>> {
    const period = (to - from) / 1000;
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
    const values = new Map<string, number[]>();
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(from), EndTime: new Date(to), NextToken: token }),
        );
        for (const result of page.MetricDataResults ?? []) values.set(result.Id ?? '', [...(values.get(result.Id ?? '') ?? []), ...(result.Values ?? [])]);
        token = page.NextToken;
      } while (token);
    } catch (error) {
      throw awsFailure(`GetMetricData for ${functionName}`, error);
    }
    const sum = (id: string) => (values.get(id) ?? []).reduce((a, b) => a + b, 0);
    const windows: Record<string, VersionWindow> = {};
    versions.forEach((version, i) => {
      const p99 = values.get(`dur${i}`) ?? [];
      windows[version] = { invocations: sum(`inv${i}`), errors: sum(`err${i}`), ...(p99.length > 0 ? { p99Ms: Math.max(...p99) } : {}) };
    });
    return windows;
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
