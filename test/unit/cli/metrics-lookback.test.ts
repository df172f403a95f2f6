/**
 * The metrics adapter's lookback query: the counts per ExecutedVersion over the window before a
 * step began, which the comparative test pools with the step's own window.
 */
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { MetricsAdapter } from '../../../cli/adapters/metrics';
import { cloudWatchMock } from './fake-aws';

beforeEach(() => cloudWatchMock.reset());

describe('MetricsAdapter.lookbackWindows', () => {
  it('asks for Invocations and Errors per ExecutedVersion over [step start − lookback, step start] in whole minutes, and sums them', async () => {
    // GIVEN
    cloudWatchMock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'inv0', Values: [40] },
        { Id: 'err0', Values: [1] },
        { Id: 'inv1', Values: [200_000, 40_000] },
        { Id: 'err1', Values: [1_000, 200] },
      ],
    });
    const stepStart = new Date(Date.UTC(2026, 0, 1, 12, 3, 30));

    // WHEN
    const windows = await new MetricsAdapter(new CloudWatchClient({})).lookbackWindows('fn', ['4', '3'], stepStart, 60 * 60_000);

    // THEN it ends at the minute the step's own window starts from, so no minute counts twice
    expect(windows).toEqual({ '4': { invocations: 40, errors: 1 }, '3': { invocations: 240_000, errors: 1_200 } });
    const input = cloudWatchMock.commandCalls(GetMetricDataCommand)[0].args[0].input;
    expect(input.StartTime).toEqual(new Date(Date.UTC(2026, 0, 1, 11, 3, 0)));
    expect(input.EndTime).toEqual(new Date(Date.UTC(2026, 0, 1, 12, 3, 0)));
    expect((input.MetricDataQueries ?? []).map((q) => [q.Id, q.MetricStat?.Metric?.MetricName, q.MetricStat?.Stat, q.MetricStat?.Period, q.MetricStat?.Metric?.Dimensions])).toEqual(
      ['4', '3'].flatMap((version, i) => {
        const dims = [
          { Name: 'FunctionName', Value: 'fn' },
          { Name: 'Resource', Value: 'fn:live' },
          { Name: 'ExecutedVersion', Value: version },
        ];
        return [
          [`inv${i}`, 'Invocations', 'Sum', 3600, dims],
          [`err${i}`, 'Errors', 'Sum', 3600, dims],
        ];
      }),
    );
  });

  it('rounds a lookback that is not whole minutes up', async () => {
    cloudWatchMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const windows = await new MetricsAdapter(new CloudWatchClient({})).lookbackWindows('fn', ['4'], new Date(Date.UTC(2026, 0, 1, 12, 0, 0)), 90_000);
    expect(windows).toEqual({ '4': { invocations: 0, errors: 0 } });
    expect(cloudWatchMock).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: new Date(Date.UTC(2026, 0, 1, 11, 58, 0)),
      EndTime: new Date(Date.UTC(2026, 0, 1, 12, 0, 0)),
    });
  });
});
