import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Read from disk: the test runner hands CSS imports (even `?raw`) over empty.
const css = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "main.css"), "utf8");

/** The `--name: #hex` tokens of one block of main.css (the light `:root`, or the dark one). */
function tokens(selector: string): Record<string, string> {
  const start = css.indexOf(`${selector} {`);
  const block = css.slice(start, css.indexOf("\n}", start));
  return Object.fromEntries(
    [...block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1]!, m[2]!]),
  );
}

const light = tokens(":root");
const dark = { ...light, ...tokens(':root[data-theme="dark"]') };

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG 2 contrast ratio of two `#rrggbb` colours. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const BACKGROUNDS = ["bg", "surface", "surface-2", "surface-hover"];

/** [foreground, backgrounds, what it is]: text needs 4.5:1, a control's edge or glyph 3:1. */
const TEXT: [string, string[], string][] = [
  ["text", BACKGROUNDS, "body text"],
  ["text-muted", BACKGROUNDS, "secondary text, a disabled button's label, badge-muted"],
  ["text-subtle", BACKGROUNDS, "hints, placeholders"],
  ["primary", ["surface", "bg"], "links, the outline button's label"],
  ["primary-text", ["primary", "primary-hover"], "a primary (or busy primary) button's label"],
  ["danger-text", ["danger", "danger-hover"], "a danger button's label"],
  ["danger", ["surface", "danger-soft"], "field errors, the danger-outline button"],
  ["primary-soft-text", ["primary-soft"], "badge-primary, the active nav link"],
  ["danger-soft-text", ["danger-soft"], "alert-error, badge-danger"],
  ["success-soft-text", ["success-soft"], "alert-success, badge-good"],
  ["info-soft-text", ["info-soft"], "alert-info"],
];
const CONTROLS: [string, string[], string][] = [
  ["control-border", BACKGROUNDS, "input borders, empty checkboxes and radios"],
  ["text-subtle", BACKGROUNDS, "idle icon buttons (edit, delete, refresh, reveal)"],
  ["focus", ["surface", "bg"], "the focus ring"],
  ["primary", ["surface", "surface-hover"], "the chosen theme, a switch that is on"],
  ["success", ["surface", "surface-2"], "a ticked to-do's checkbox"],
  ["danger", ["surface"], "an invalid input's border"],
];

function failures(theme: Record<string, string>, pairs: [string, string[], string][], min: number) {
  const found: string[] = [];
  for (const [fg, backgrounds] of pairs) {
    for (const bg of backgrounds) {
      const ratio = contrast(theme[fg]!, theme[bg]!);
      if (!(ratio >= min)) found.push(`--${fg} on --${bg}: ${ratio.toFixed(2)}`);
    }
  }
  return found;
}

describe("the design tokens' contrast", () => {
  it("reads every token of both themes", () => {
    for (const name of ["control-border", "danger-text", ...BACKGROUNDS]) {
      expect(light[name], name).toMatch(/^#/);
      expect(tokens(':root[data-theme="dark"]')[name], name).toMatch(/^#/);
    }
  });

  it.each([
    ["light", light],
    ["dark", dark],
  ])("%s: text ≥ 4.5:1, controls ≥ 3:1", (_name, theme) => {
    expect(failures(theme, TEXT, 4.5)).toEqual([]);
    expect(failures(theme, CONTROLS, 3)).toEqual([]);
  });
});
