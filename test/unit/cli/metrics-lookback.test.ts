/**
 * The metrics adapter's per-minute query for the stratified comparison: Invocations and Errors
 * per ExecutedVersion, Period 60, kept per minute; and results CloudWatch marks incomplete.
 */
import { CloudWatchClient, GetMetricDataCommand, type StatusCode } from '@aws-sdk/client-cloudwatch';
import { MetricsAdapter } from '../../../cli/adapters/metrics';
import { cloudWatchMock } from './fake-aws';

beforeEach(() => cloudWatchMock.reset());

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute, 0));

describe('MetricsAdapter.minuteCounts', () => {
  it('asks for Invocations and Errors per ExecutedVersion per minute over [⌊start⌋, ⌈end⌉) and keeps minutes apart', async () => {
    // GIVEN the candidate served in minutes 2 and 3 only; CloudWatch returns newest first
    cloudWatchMock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'inv0', StatusCode: 'Complete', Timestamps: [at(3), at(2)], Values: [40, 10] },
        { Id: 'err0', StatusCode: 'Complete', Timestamps: [at(3)], Values: [2] },
        { Id: 'inv1', StatusCode: 'Complete', Timestamps: [at(3), at(2), at(1)], Values: [3960, 3990, 4000] },
        { Id: 'err1', StatusCode: 'Complete', Timestamps: [at(3), at(2), at(1)], Values: [20, 40, 20] },
      ],
    });

    // WHEN
    const minutes = await new MetricsAdapter(new CloudWatchClient({})).minuteCounts(
      'fn',
      '4',
      '3',
      new Date(at(1).getTime() + 20_000),
      new Date(at(3).getTime() + 30_000),
    );

    // THEN oldest first, a version absent in a minute counts 0 there
    expect(minutes).toEqual([
      { candidate: { invocations: 0, errors: 0 }, stable: { invocations: 4000, errors: 20 } },
      { candidate: { invocations: 10, errors: 0 }, stable: { invocations: 3990, errors: 40 } },
      { candidate: { invocations: 40, errors: 2 }, stable: { invocations: 3960, errors: 20 } },
    ]);
    const input = cloudWatchMock.commandCalls(GetMetricDataCommand)[0].args[0].input;
    expect(input.StartTime).toEqual(at(1));
    expect(input.EndTime).toEqual(at(4));
    expect(
      (input.MetricDataQueries ?? []).map((q) => [q.Id, q.MetricStat?.Metric?.MetricName, q.MetricStat?.Stat, q.MetricStat?.Period]),
    ).toEqual([
      ['inv0', 'Invocations', 'Sum', 60],
      ['err0', 'Errors', 'Sum', 60],
      ['inv1', 'Invocations', 'Sum', 60],
      ['err1', 'Errors', 'Sum', 60],
    ]);
  });

  it('follows NextToken when a result is PartialData and merges the pages', async () => {
    cloudWatchMock
      .on(GetMetricDataCommand)
      .resolvesOnce({
        NextToken: 'more',
        MetricDataResults: [{ Id: 'inv0', StatusCode: 'PartialData', Timestamps: [at(2)], Values: [10] }],
      })
      .resolves({ MetricDataResults: [{ Id: 'inv0', StatusCode: 'Complete', Timestamps: [at(1)], Values: [5] }] });
    const minutes = await new MetricsAdapter(new CloudWatchClient({})).minuteCounts('fn', '4', '3', at(1), at(3));
    expect(minutes.map((m) => m.candidate.invocations)).toEqual([5, 10]);
    expect(cloudWatchMock.commandCalls(GetMetricDataCommand)[1].args[0].input.NextToken).toBe('more');
  });

  it.each<StatusCode>(['InternalError', 'Forbidden', 'PartialData'])('treats a %s result as an error, not as zeros', async (code) => {
    cloudWatchMock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'inv0', StatusCode: 'Complete', Timestamps: [], Values: [] },
        { Id: 'err0', StatusCode: code, Timestamps: [], Values: [] },
      ],
    });
    const adapter = new MetricsAdapter(new CloudWatchClient({}));
    await expect(adapter.minuteCounts('fn', '4', '3', at(1), at(3))).rejects.toThrow(
      new RegExp(`GetMetricData for fn returned incomplete results: err0 ${code}`),
    );
    await expect(adapter.versionWindows('fn', ['4', '3'], at(1), at(3))).rejects.toThrow(/incomplete results/);
  });
});
