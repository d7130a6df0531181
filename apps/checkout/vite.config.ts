import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the API under /pay/<token>; built assets must resolve from /pay/.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/pay/',
  plugins: [react()],
  // `npm run dev` runs this config inside the API process (apps/api/src/http/dev-web-apps.ts:
  // middleware mode, HMR on the API's port), so no proxy is involved there. Standalone, `npx vite`
  // in apps/checkout: open http://localhost:5173/pay/<token> against a running API.
  server: {
    proxy: { '/trpc': process.env['API_URL'] ?? 'http://127.0.0.1:4000' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
});
