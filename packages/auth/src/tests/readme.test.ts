import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AUTH_OPTION_NAMES } from "../options/auth-options.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** The option names in the first column of the README's "Options" table. */
function documentedOptions(): string[] {
  const section = readme.split("## Options")[1]?.split("\n## ")[0] ?? "";
  const rows = section.split("\n").filter((line) => line.startsWith("| `"));
  return rows.flatMap((row) => [...row.split("|")[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

describe("the package README", () => {
  it("documents every option of AuthOptions, and no option that does not exist", () => {
    expect(documentedOptions().sort()).toEqual([...AUTH_OPTION_NAMES].sort());
  });

  it("refers to no document outside the repository", () => {
    expect(readme).not.toMatch(/DESIGN\.md|\.\.\/shared/);
  });
});
