/**
 * The ETL's audit trail: transform's OnSuccess destination. Lambda hands this function the
 * invocation record of every successful transform (request: the S3 event; response: the objects
 * written) asynchronously; it logs one line per object written, with the key it came from, so
 * "what did the pipeline produce, from what" is answerable from the logs alone.
 */
import { instrumented, logger, tracer } from '../shared/powertools';

/** Lambda's asynchronous invocation record (destinations), as far as the audit reads it. */
export interface InvocationRecord {
  readonly requestContext?: { readonly requestId?: string; readonly functionArn?: string; readonly condition?: string };
  readonly requestPayload?: { readonly Records?: ReadonlyArray<S3RecordKey> };
  readonly responseContext?: { readonly executedVersion?: string };
  readonly responsePayload?: unknown;
}

interface S3RecordKey {
  readonly s3?: { readonly object?: { readonly key?: string } };
}

export interface AuditEntry {
  readonly source: string | undefined;
  readonly written: string;
  readonly version: string | undefined;
  readonly requestId: string | undefined;
}

/** One entry per object the transform wrote; a record that is not a success record is refused. */
export function auditEntries(record: InvocationRecord): AuditEntry[] {
  if (record.requestContext?.condition !== 'Success') {
    const condition = String(record.requestContext?.condition);
    throw new Error(`not a success record (condition ${condition}): audit is an OnSuccess destination`);
  }
  const sources = (record.requestPayload?.Records ?? []).map((r) => r.s3?.object?.key);
  const written = Array.isArray(record.responsePayload) ? (record.responsePayload as Array<{ key?: unknown }>) : [];
  return written.map((w, i) => ({
    source: sources[i] ?? sources[0],
    written: String(w.key),
    version: record.responseContext?.executedVersion,
    requestId: record.requestContext?.requestId,
  }));
}

export const handler = instrumented(async (record: InvocationRecord): Promise<{ audited: number }> => {
  // The transform's request id and version tie this trace to the invocation it audits.
  const audited = record.requestContext?.requestId;
  if (audited !== undefined) tracer.putAnnotation('AuditedRequestId', audited);
  const executed = record.responseContext?.executedVersion;
  if (executed !== undefined) tracer.putAnnotation('AuditedVersion', executed);
  const entries = auditEntries(record);
  for (const entry of entries) logger.info('audited', { ...entry });
  return { audited: entries.length };
});
