#!/usr/bin/env node
/** CDK entry point of the example app: `cdk synth -c stage=dev|prod` (all or nothing, see synthesizeProject). */
import * as path from 'node:path';
import { synthesizeProject } from '../lib';

synthesizeProject(path.resolve(__dirname, '..'));
