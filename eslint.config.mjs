// ESLint 9 flat config for the whole workspace (run with `npx eslint .`).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import { createProjectGraphAsync } from '@nx/devkit';

// @nx/enforce-module-boundaries only reads the *cached* project graph (.nx/workspace-data).
// On a fresh checkout (CI) there is none and the rule silently skips itself; after edits the
// cache can be stale. Recompute it once per ESLint run so `npx eslint .` is always accurate.
// Inside an Nx task the graph has just been computed, so skip the extra work there.
if (!process.env.NX_TASK_TARGET_PROJECT) {
  try {
    await createProjectGraphAsync({ exitOnError: false });
  } catch (error) {
    console.warn(`[eslint.config] could not compute the Nx project graph: ${String(error)}`);
  }
}

const webApps = ['apps/checkout/**/*.{ts,tsx,js,jsx,mjs,cjs}', 'apps/console/**/*.{ts,tsx,js,jsx,mjs,cjs}'];

export default defineConfig(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.nx/**',
      '**/.data/**',
      '**/coverage/**',
      '**/artifacts/**',
      '**/*.tsbuildinfo',
    ],
  },

  js.configs.recommended,
  tseslint.configs.recommended,

  {
    linterOptions: { reportUnusedDisableDirectives: 'warn' },
  },

  // Plain JS config/tool files run on Node (TS files get `no-undef` disabled by typescript-eslint).
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },

  // Workspace-wide rules.
  {
    files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],

      // Project boundaries, driven by `nx.tags` in each package.json.
      //   scope:core      -> nothing of ours
      //   scope:providers -> core
      //   scope:api       -> core, providers
      //   scope:web       -> core, api (api: TYPES ONLY, enforced by the
      //                      no-restricted-imports override for web apps below)
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:providers', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:core', 'scope:providers'] },
            {
              sourceTag: 'scope:web',
              onlyDependOnLibsWithTags: ['scope:core', 'scope:api'],
              // Server-only packages must never end up in a browser bundle.
              bannedExternalImports: [
                'express',
                'pg-boss',
                'pino',
                'pino-http',
                'prom-client',
                'rate-limiter-flexible',
                '@mikro-orm/*',
                '@electric-sql/*',
              ],
            },
          ],
        },
      ],
    },
  },

  // Web apps: only `import type` from the API (router types for tRPC, etc.).
  {
    files: webApps,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@platform/api',
              allowTypeImports: true,
              message: 'Web apps may only import types from @platform/api (use `import type`).',
            },
          ],
          patterns: [
            {
              group: ['@platform/api/*'],
              allowTypeImports: true,
              message: 'Web apps may only import types from @platform/api (use `import type`).',
            },
          ],
        },
      ],
    },
  },

  // Tests may be looser.
  {
    files: ['**/*.test.{ts,tsx}', '**/test/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
