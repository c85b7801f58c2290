import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{services,stacks,policies,pipelines,loadtests}/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'cdktf.out/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Several suites start real servers (the service, Redis, HAProxy, Prometheus) on loopback;
    // 2-core machines do better with few files at once.
    maxWorkers: 2,
  },
});
