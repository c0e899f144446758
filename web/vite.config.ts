import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The viewer is a static bundle in web/dist, served by the server on the same origin as /trpc.
 * In development `pnpm --filter @modula/web dev` proxies /trpc to a server on port 3000, so the
 * session cookie stays same-origin there too.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { '/trpc': { target: 'http://127.0.0.1:3000', changeOrigin: false } },
  },
});
