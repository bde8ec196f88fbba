import { defineConfig } from 'vitest/config';

/** Data-layer unit tests: Node with an in-memory IndexedDB (fake-indexeddb). */
export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    setupFiles: ['fake-indexeddb/auto', './tests/setup/dictionaries.ts'],
    testTimeout: 20_000,
  },
});
