// Web UI build: `vite build --config web-ui/vite.config.ts` (from the repo root) → dist/web-ui,
// served by the firmware-agent with SPA fallback. Dev: `npx vite --config web-ui/vite.config.ts`
// proxies /api (incl. the /api/v1/live websocket) to a local agent on :8080 (SEATBOX_API overrides).
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.SEATBOX_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  plugins: [preact()],
  build: {
    outDir: resolve(root, '../dist/web-ui'),
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    chunkSizeWarningLimit: 300,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: api, ws: true, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      '/api': { target: api, ws: true, changeOrigin: false },
    },
  },
});
