import vue from "@vitejs/plugin-vue";
import { defaultClientConditions, defineConfig } from "vite";

const api = process.env.VITE_API_URL ?? "http://localhost:3000";
const proxy = { "/api": { target: api, changeOrigin: false } };

export default defineConfig({
  plugins: [vue()],
  // Workspace packages resolve to their TypeScript sources (no build step in development).
  resolve: { conditions: ["@hybrid-auth/source", ...defaultClientConditions] },
  server: { port: 5173, strictPort: true, proxy },
  preview: { port: 4173, strictPort: false, proxy },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    target: "es2022",
    // The lazily loaded password-strength chunk (zxcvbn dictionaries) is big by nature.
    chunkSizeWarningLimit: 2000,
    // Every supported browser has <link rel="modulepreload">; no polyfill in the entry chunk.
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
