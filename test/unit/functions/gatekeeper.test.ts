import { createHash } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { allowed, bearerToken, policy, readAllowedDigests } from '../../../functions/gatekeeper';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/hello/team';

describe('gatekeeper (TOKEN authorizer)', () => {
  test('allows a bearer token whose digest is listed, and only that one', () => {
    const digests = readAllowedDigests(`${sha('team-token-1')}, ${sha('team-token-2')}`);
    expect(allowed('team-token-2', digests)).toBe(true);
    expect(allowed('team-token-3', digests)).toBe(false);
    expect(allowed('team-token-1', readAllowedDigests(undefined))).toBe(false);
  });

  test('reads "Bearer <token>" only', () => {
    expect(bearerToken('Bearer team-token-1')).toBe('team-token-1');
    expect(bearerToken('team-token-1')).toBeUndefined();
    expect(bearerToken('Bearer short')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  test('a malformed digest fails the cold start, naming the variable', () => {
    expect(() => readAllowedDigests('not-hex')).toThrow(/ALLOWED_TOKEN_SHA256 entries must be 64 hex digits/);
  });

  test("the policy covers the whole stage, since API Gateway reuses a cached answer for the token's other routes", () => {
    expect(policy('Allow', METHOD_ARN, 'p').policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*' },
    ]);
  });

  test('no token: "Unauthorized" (API Gateway answers 401); with none configured every token is denied', async () => {
    const { handler } = await import('../../../functions/gatekeeper');
    const context = {
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:gatekeeper:live',
      functionVersion: '1',
    } as Context;
    await expect(handler({ type: 'TOKEN', authorizationToken: '', methodArn: METHOD_ARN }, context)).rejects.toThrow('Unauthorized');
    const denied = await handler({ type: 'TOKEN', authorizationToken: 'Bearer team-token-1', methodArn: METHOD_ARN }, context);
    expect(denied.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
  });
});
