/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Replaces each `graphql(`…`)` call with its generated document, inline (what the codegen's babel plugin does):
 * without it, gql.ts's map would put every page's documents into the first page's chunk.
 * Falls back to the runtime `graphql()` when a document is not generated yet (run `npm run codegen`).
 */
function inlineGraphqlDocuments(): Plugin {
  const file = path.resolve(import.meta.dirname, 'src/gql/graphql.ts');
  let cache: { mtime: number; docs: Map<string, string> } | null = null;
  const docs = () => {
    const mtime = fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0;
    if (!cache || cache.mtime !== mtime) {
      const m = new Map<string, string>();
      const src = mtime ? fs.readFileSync(file, 'utf8') : '';
      for (const x of src.matchAll(/^export const (\w+) = (\{.*\}) as unknown as DocumentNode<.*>;$/gm)) m.set(x[1], x[2]);
      cache = { mtime, docs: m };
    }
    return cache.docs;
  };
  return {
    name: 'linli-inline-graphql-documents',
    enforce: 'pre',
    transform(code, id) {
      if (!/\/src\/.*\.tsx?$/.test(id) || id.includes('/src/gql/') || !code.includes('graphql(')) return null;
      let changed = false;
      const out = code.replace(/\bgraphql\(\s*`([^`]*)`\s*\)/g, (call, body: string) => {
        const def = /\b(query|mutation|subscription|fragment)\s+(\w+)/.exec(body);
        if (!def) return call;
        const doc = docs().get(def[1] === 'fragment' ? `${def[2]}FragmentDoc` : `${def[2]}Document`);
        if (!doc) return call;
        changed = true;
        return `(${doc})`;
      });
      return changed ? { code: out, map: null } : null;
    },
  };
}

// The Rust server serves dist/ at /console/ (SPA fallback to index.html).
// `npm run dev` proxies the API to a local server (LINLI_BACKEND, default http://127.0.0.1:8080).
const backend = process.env.LINLI_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/console/',
  plugins: [inlineGraphqlDocuments(), react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    port: 5173,
    proxy: {
      '/graphql/ws': { target: backend.replace(/^http/, 'ws'), ws: true, changeOrigin: true },
      '/graphql': { target: backend, changeOrigin: true },
      '/console/api': { target: backend, changeOrigin: true },
      '/upload': { target: backend, changeOrigin: true },
      '/media': { target: backend, changeOrigin: true },
      '/export': { target: backend, changeOrigin: true },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
