#!/usr/bin/env node
/** CDK entry point: `cdk synth -c stage=dev|prod` (lib/synth.ts: all or nothing). */
import * as path from 'node:path';
import { synthesizeProject } from '../lib/synth';

synthesizeProject(path.resolve(__dirname, '..'));
