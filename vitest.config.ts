import { defineConfig } from 'vitest/config';

// Two projects: pure unit tests, and end-to-end tests that run the built binary against the
// sandbox (brought up once by the global setup). `npm test` runs both.
// clipanion's ESM build imports a directory ('../platform'), which Node's ESM loader refuses when
// vitest externalizes it; inlining lets vite resolve it through that directory's package.json.
const server = { deps: { inline: ['clipanion'] } };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          server,
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          server,
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
