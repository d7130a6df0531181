import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the API under /console/; built assets must resolve from /console/.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  // `npm run dev` runs this config inside the API process (apps/api/src/http/dev-web-apps.ts:
  // middleware mode, HMR on the API's port), so no proxy is involved there. Standalone, `npx vite`
  // in apps/console: open http://localhost:5173/console/ against a running API.
  server: {
    proxy: { '/trpc': process.env['API_URL'] ?? 'http://127.0.0.1:4000' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The entry is React + Mantine (≈ 175 kB gzip) for every page; recharts (≈ 130 kB gzip)
    // is split off and loaded by the dashboard only. Warn when the entry grows past that.
    chunkSizeWarningLimit: 650,
  },
});
