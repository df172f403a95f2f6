#!/usr/bin/env node
/** CDK entry point: `npx cdk synth -c stage=dev|prod` builds the stacks faas.config.ts declares. */
import * as path from 'node:path';
import { synthesizeProject } from 'faas-platform';

synthesizeProject(path.resolve(__dirname, '..'));
