import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // Creating an embedded PGlite database takes seconds, more on a busy 2-core machine.
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
