import { auditEntries, type InvocationRecord } from '../../../functions/audit';

const success = (written: unknown): InvocationRecord => ({
  requestContext: { requestId: 'r-1', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:transform:live', condition: 'Success' },
  requestPayload: { Records: [{ s3: { object: { key: 'in/a.json' } } }] },
  responseContext: { executedVersion: '4' },
  responsePayload: written,
});

describe('audit (transform OnSuccess destination)', () => {
  test('one entry per object written, with its source key, version and request id', () => {
    // GIVEN a success record of a transform that wrote one object
    const record = success([{ bucket: 'b', key: 'out/a.json' }]);

    // WHEN / THEN
    expect(auditEntries(record)).toEqual([{ source: 'in/a.json', written: 'out/a.json', version: '4', requestId: 'r-1' }]);
  });

  test('a success that wrote nothing audits nothing', () => {
    expect(auditEntries(success([]))).toEqual([]);
  });

  test('a failure record is refused, naming its condition', () => {
    const failure: InvocationRecord = { ...success([]), requestContext: { condition: 'RetriesExhausted' } };
    expect(() => auditEntries(failure)).toThrow(/not a success record \(condition RetriesExhausted\)/);
  });
});
