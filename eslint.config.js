import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";
import pluginVue from "eslint-plugin-vue";
import prettierConfig from "eslint-config-prettier";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "**/.data/**",
      "drizzle/**",
      "e2e/test-results/**",
      "e2e/playwright-report/**",
    ],
  },
  js.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  ...tseslint.configs.recommended,
  ...pluginVue.configs["flat/recommended"],
  {
    files: ["**/*.vue"],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  // Prettier owns formatting: switch off the stylistic rules it would fight with.
  prettierConfig,
  {
    files: ["apps/web/src/**"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": [
        "error",
        // `typeof import("…")` is how a lazily loaded module is typed.
        { fixStyle: "inline-type-imports", disallowTypeAnnotations: false },
      ],
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message: "Read configuration through the config module.",
        },
      ],
    },
  },
  {
    // Better Auth is the bench's peer (apps/api/bench/peers), never a dependency of the product.
    files: ["apps/*/src/**", "packages/*/src/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["better-auth", "better-auth/*", "@better-auth/*", "pg"],
              message:
                "Better Auth and pg belong to the bench's peers only (apps/api/bench/peers).",
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      "**/config.ts",
      "**/testing/env.ts",
      "scripts/**",
      "packages/*/scripts/**",
      "e2e/**",
      "**/bench/**",
      "apps/api/contract/**",
      "**/*.config.ts",
      ".ci/**",
    ],
    rules: { "no-restricted-properties": "off" },
  },
);
