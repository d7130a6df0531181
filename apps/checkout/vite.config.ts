import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the API under /pay/<token>; built assets must resolve from /pay/.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/pay/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
});
