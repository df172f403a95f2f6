/** The one Node.js runtime the platform targets; bundles and layers are built for it. */
import * as lambda from 'aws-cdk-lib/aws-lambda';

export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;
/**
 * esbuild target: the oldest Node that must run our bundles — Node 20 runs them in the emulator
 * and in benchmarks; Lambda's Node 24 runs Node 20 output unchanged.
 */
export const NODE_TARGET = 'node20';
/** Provided by the Lambda Node.js runtime, so never bundled. */
export const RUNTIME_PROVIDED_MODULES = ['@aws-sdk/*'] as const;
