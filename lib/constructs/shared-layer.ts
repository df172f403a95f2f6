/**
 * A folder under layers/ built into a LayerVersion, without Docker: each package is
 * bundled by esbuild into nodejs/node_modules/<package>/index.js, where the Node.js
 * runtime finds it (/opt/nodejs/node_modules is on NODE_PATH).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';
import { Construct } from 'constructs';
import type { LayerSource } from '../project';
import { NODE_RUNTIME, NODE_TARGET } from './runtime';

export interface SharedLayerProps {
  readonly source: LayerSource;
}

export class SharedLayer extends Construct {
  /** The published layer version. */
  readonly layerVersion: lambda.LayerVersion;
  /** npm names of the packages this layer provides; functions keep exactly these external. */
  readonly packageNames: readonly string[];
  readonly layerName: string;

  constructor(scope: Construct, id: string, props: SharedLayerProps) {
    super(scope, id);
    const { source } = props;
    this.layerName = source.name;
    this.packageNames = source.packages.map((p) => p.name);
    this.layerVersion = new lambda.LayerVersion(this, 'Layer', {
      description: `faas layer "${source.name}": ${this.packageNames.join(', ')}`,
      compatibleRuntimes: [NODE_RUNTIME],
      code: lambda.Code.fromAsset(source.dir, {
        // The hash follows the built output, so only a real change publishes a new layer version.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never used: local bundling always succeeds or throws. Docker is not needed at synth.
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'),
          local: new EsbuildLayerBundling(source),
        },
      }),
    });
  }
}

class EsbuildLayerBundling implements ILocalBundling {
  constructor(private readonly source: LayerSource) {}

  tryBundle(outputDir: string): boolean {
    for (const pkg of this.source.packages) {
      const target = path.join(outputDir, 'nodejs', 'node_modules', pkg.name);
      buildSync({
        entryPoints: [pkg.entry],
        outfile: path.join(target, 'index.js'),
        bundle: true,
        platform: 'node',
        target: NODE_TARGET,
        format: 'cjs',
        minify: true,
        // The runtime provides the AWS SDK; a layer never ships it.
        external: ['@aws-sdk/*'],
        logLevel: 'error',
      });
      const manifest = JSON.parse(fs.readFileSync(path.join(pkg.dir, 'package.json'), 'utf8')) as { version?: string };
      fs.writeFileSync(
        path.join(target, 'package.json'),
        JSON.stringify({ name: pkg.name, version: manifest.version ?? '0.0.0', main: 'index.js' }, null, 2),
      );
    }
    return true;
  }
}
