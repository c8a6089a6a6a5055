import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['tests/**/*.test.ts'],
    // Tests that start the CLI as a process start the compiled one (dist/cli/bin.js): built first.
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests spawn the CLI and Chromium: two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
})
