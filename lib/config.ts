/**
 * What a faas.config.ts imports (`import { defineConfig } from 'faas-platform/config'`): the
 * declaration's types and helper only, so the CLI loads a config without loading aws-cdk-lib.
 */
export { defineConfig, type FunctionInput, type PlatformInput } from './declaration/schema';
export type { ContainerInput } from './declaration/container';
