// Lint: TypeScript-aware recommended rules; `any` is an error (house rule).
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const CLI_WALL = {
  group: [
    'aws-cdk-lib',
    'aws-cdk-lib/*',
    'constructs',
    'cdk-nag',
    '**/lib/stacks/**',
    '**/lib/constructs/**',
    '**/lib/placement/**',
    '**/lib/platform-app',
    '**/lib/faas-platform',
    '**/lib/index',
  ],
  message: 'the CLI imports no CDK code (it starts in a fraction of a second)',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'cdk.out/',
      '.emulator/',
      'coverage/',
      'containers/*/dist/',
      '**/*.js',
      '!eslint.config.mjs',
      '!bin/*.js',
      '!scripts/*.js',
      '!jest.config.js',
    ],
  },
  // The repository's own scripts are CommonJS for Node.
  { files: ['bin/*.js', 'scripts/*.js', 'jest.config.js'], languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } } },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      // Prettier wraps code at 140; this catches what it cannot wrap (strings, comments, regexes).
      'max-len': ['error', { code: 140, tabWidth: 2 }],
    },
  },
  {
    // Handlers never import CDK code: lib/ must never reach a bundle, except the constant-only contract.
    files: ['functions/**/*.ts', 'layers/**/*.ts', 'containers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/lib/**', '!**/lib/contract', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
              message: 'handlers import nothing from lib/ but lib/contract, and no CDK code',
            },
          ],
        },
      ],
    },
  },
  {
    // Constructs take CDK-shaped props: only lib/stacks/construct-props.ts maps the declaration to them.
    files: ['lib/constructs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/declaration', '**/declaration/**', '**/cli/**', '**/stacks/**'],
              message: 'constructs import neither the declaration, the stacks nor the CLI',
            },
          ],
        },
      ],
    },
  },
  {
    // The CLI loads no CDK: it reads the declaration and the stacks' outputs, never builds them.
    files: ['cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [CLI_WALL] }],
    },
  },
  {
    // The canary engine is pure: no SDK, no adapters, no I/O.
    files: ['cli/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            CLI_WALL,
            { group: ['@aws-sdk/*', '**/adapters/**', '**/commands/**', 'node:*'], message: 'the canary engine is pure' },
          ],
        },
      ],
    },
  },
  {
    // The rollout controller and the simulated world reach AWS only through ports; bench/ and test/ share the world, so it
    // imports no test code.
    files: ['cli/rollout/**/*.ts', 'simulation/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            CLI_WALL,
            {
              group: ['@aws-sdk/*', '**/commands/**', '**/test/**'],
              message: 'the rollout controller and the simulation use ports, not SDK clients, commands or test code',
            },
          ],
        },
      ],
    },
  },
  {
    // The alias plan is pure too: the custom resource handler next to it is the only SDK user.
    files: ['lib/release/alias-plan.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'node:*'], message: 'the alias plan is pure' }],
        },
      ],
    },
  },
  {
    // The declaration schema is plain data.
    files: ['lib/declaration/**/*.ts', 'lib/release/live-alias-state-handler/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'], message: 'declarations and release planning import no CDK' }],
        },
      ],
    },
  },
  {
    // ...and it knows nothing of what is built from it.
    files: ['lib/declaration/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'], message: 'the declaration imports no CDK' },
            {
              group: ['**/constructs/**', '**/stacks/**', '**/placement/**', '**/cli/**', '**/platform-app', '**/faas-platform'],
              message: 'the declaration imports nothing built from it',
            },
          ],
        },
      ],
    },
  },
);
