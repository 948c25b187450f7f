import vue from "@vitejs/plugin-vue";
import { defaultClientConditions } from "vite";
import { defineProject } from "vitest/config";

export default defineProject({
  plugins: [vue()],
  resolve: { conditions: ["@hybrid-auth/source", ...defaultClientConditions] },
  test: {
    name: "web",
    environment: "happy-dom",
    include: ["src/**/*.test.ts"],
  },
});
