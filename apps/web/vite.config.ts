import vue from "@vitejs/plugin-vue";
import { defaultClientConditions, defineConfig, type Plugin } from "vite";
import { precompress } from "./scripts/precompress.mjs";
import { ROUTE_MANIFEST_FILE, ROUTE_PATHS } from "./src/route-paths.js";

const api = process.env.VITE_API_URL ?? "http://localhost:3000";
const proxy = { "/api": { target: api, changeOrigin: false } };

/** Writes the SPA's page paths next to index.html, for the server's 404 on unknown pages. */
function routeManifest(): Plugin {
  return {
    name: "hybrid-auth:route-manifest",
    apply: "build",
    generateBundle() {
      this.emitFile({
        type: "asset",
        fileName: ROUTE_MANIFEST_FILE,
        source: `${JSON.stringify(Object.values(ROUTE_PATHS))}\n`,
      });
    },
  };
}

export default defineConfig({
  plugins: [vue(), routeManifest(), precompress()],
  // Every component uses <script setup>: Vue's Options API is left out of the bundle.
  define: { __VUE_OPTIONS_API__: "false" },
  // Workspace packages resolve to their TypeScript sources (no build step in development).
  resolve: { conditions: ["@hybrid-auth/source", ...defaultClientConditions] },
  server: { port: 5173, strictPort: true, proxy },
  preview: { port: 4173, strictPort: false, proxy },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    target: "es2022",
    // The password-strength chunk (zxcvbn dictionaries, only a fallback since the server
    // checks passwords: decision 024) is big by nature.
    chunkSizeWarningLimit: 2000,
    // Every supported browser has <link rel="modulepreload">; no polyfill in the entry chunk.
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
