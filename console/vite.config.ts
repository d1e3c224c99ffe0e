/// <reference types="vitest/config" />
import { createHash } from 'node:crypto';
import { defineConfig, type Plugin, type Rolldown } from 'vite';
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

/**
 * A tiny script that index.html runs first (async, so it blocks nothing): it adds a modulepreload of the chunks of the
 * page at the address (its chunk and those it imports that the entry does not), so that they load alongside the entry
 * instead of after it (the entry imports the pages dynamically). The addresses as routes.ts has them: `/console/` is
 * the queue, `/console/reports/…` the report page, `/console/<page>` the others.
 */
function preloadPageChunks(): Plugin {
  let base = '/';
  return {
    name: 'linli-preload-page-chunks',
    apply: 'build',
    enforce: 'post',
    configResolved(c) {
      base = c.base;
    },
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((c): c is Rolldown.OutputChunk => c.type === 'chunk');
      const html = bundle['index.html'];
      const entry = chunks.find((c) => c.isEntry);
      if (!entry || !html || html.type !== 'asset') throw new Error('linli-preload-page-chunks: no entry chunk or no index.html');
      const closure = (file: string, into = new Set<string>()): Set<string> => {
        if (!into.has(file)) {
          into.add(file);
          for (const i of (bundle[file] as Rolldown.OutputChunk).imports) closure(i, into);
        }
        return into;
      };
      const loaded = closure(entry.fileName);
      const pages: Record<string, string[]> = {};
      for (const c of chunks) {
        const page = c.isDynamicEntry && /\/src\/pages\/([^/]+)\/index\.tsx$/.exec(c.facadeModuleId ?? '')?.[1];
        if (page) pages[page] = [...closure(c.fileName)].filter((f) => !loaded.has(f));
      }
      if (!pages.queue) throw new Error('linli-preload-page-chunks: no chunk for src/pages/queue');
      // The files once, and each page's as indexes into them.
      const files = [...new Set(Object.values(pages).flat())].sort();
      const byPage = Object.fromEntries(Object.entries(pages).sort().map(([p, fs]) => [p, fs.map((f) => files.indexOf(f)).sort((a, b) => a - b)]));
      const source =
        `(function(){var f=${JSON.stringify(files)},m=${JSON.stringify(byPage)},` +
        `s=location.pathname.replace(/^\\/console\\/?/,"").split("/")[0],p=s===""?"queue":s==="reports"?"report":s,i,l;` +
        `if(!Object.prototype.hasOwnProperty.call(m,p))return;for(i=0;i<m[p].length;i++){l=document.createElement("link");` +
        `l.rel="modulepreload";l.crossOrigin="";l.href=${JSON.stringify(base)}+f[m[p][i]];document.head.appendChild(l)}})();\n`;
      const fileName = `assets/preload-${createHash('sha256').update(source).digest('base64url').slice(0, 8)}.js`;
      this.emitFile({ type: 'asset', fileName, source });
      const tag = `<script async src="${base}${fileName}"></script>\n    `;
      const page = String(html.source);
      if (!page.includes('<script type="module"')) throw new Error('linli-preload-page-chunks: no module script in index.html');
      html.source = page.replace('<script type="module"', `${tag}<script type="module"`);
    },
  };
}

// The Rust server serves dist/ at /console/ (SPA fallback to index.html).
// `npm run dev` proxies the API to a local server (LINLI_BACKEND, default http://127.0.0.1:8080).
const backend = process.env.LINLI_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/console/',
  plugins: [inlineGraphqlDocuments(), react(), preloadPageChunks()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      treeshake: {
        // Ant Design's helper packages have no import-time side effects but do not say so in their package.json:
        // without this, e.g. antd's Tooltip pulls all of rc-field-form and async-validator (~14 kB gzip) into the
        // first page through antd/es/form/context (none of their exports is used there).
        moduleSideEffects: [
          { test: /node_modules[\\/](rc-[^\\/]+|@rc-component[\\/][^\\/]+|@ant-design[\\/](cssinjs|cssinjs-utils|colors|fast-color)|@babel[\\/]runtime)[\\/]/, sideEffects: false },
        ],
      },
    },
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
