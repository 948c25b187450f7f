import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "**/.data/**",
      "drizzle/**",
      "apps/web/**",
      "e2e/test-results/**",
      "e2e/playwright-report/**",
    ],
  },
  js.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
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
    files: [
      "**/config.ts",
      "**/testing/env.ts",
      "scripts/**",
      "e2e/**",
      "**/bench/**",
      "**/*.config.ts",
      ".ci/**",
    ],
    rules: { "no-restricted-properties": "off" },
  },
);
