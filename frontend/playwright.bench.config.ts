import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// Benchmarks (not part of `make test`: timing is measured here, never asserted in the suite).
// `npm run build && npm run bench:editor` against a real `lathe serve`, like the e2e tests.
export default defineConfig({ ...base, testDir: './bench', outputDir: './test-results/bench' });
