import { defineConfig } from '@hey-api/openapi-ts';

// The client in src/api is generated from the backend's OpenAPI document; never edit it by hand.
// Regenerate with `npm run gen:api`; `npm run check:api` fails when it is stale.
export default defineConfig({
  input: 'openapi.json',
  output: { path: process.env.LATHE_API_OUT ?? 'src/api' },
  // schemas: the JSON schemas themselves, for forms drawn from them (the training config).
  plugins: ['@hey-api/client-fetch', '@hey-api/schemas', '@hey-api/typescript', '@hey-api/sdk'],
});
