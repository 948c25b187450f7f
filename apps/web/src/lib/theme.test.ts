import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  installTheme,
  resolveTheme,
  setTheme,
  storedTheme,
  themeChoice,
  THEME_STORAGE_KEY,
} from "./theme";
import boot from "../../public/theme.js?raw";

/** Makes the device prefer dark (or not), as `matchMedia` reports it. */
function systemPrefers(dark: boolean) {
  vi.stubGlobal(
    "matchMedia",
    vi.fn((query: string) => ({
      matches: dark && query === "(prefers-color-scheme: dark)",
      media: query,
      addEventListener: vi.fn(),
      removeEventListener: vi.fn(),
    })),
  );
}

const shown = () => document.documentElement.dataset.theme;

beforeEach(() => {
  localStorage.clear();
  delete document.documentElement.dataset.theme;
});
afterEach(() => vi.unstubAllGlobals());

describe("theme", () => {
  it("follows the system until a choice is made, and remembers the choice", () => {
    systemPrefers(true);
    expect(storedTheme()).toBe("system");
    installTheme();
    expect(themeChoice.value).toBe("system");
    expect(shown()).toBe("dark");

    setTheme("light");
    expect(shown()).toBe("light");
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe("light");
    expect(themeChoice.value).toBe("light");

    // "System" forgets the choice rather than storing a third value.
    setTheme("system");
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBeNull();
    expect(shown()).toBe("dark");
  });

  it("resolves each choice, and ignores a stored value it does not know", () => {
    systemPrefers(false);
    expect(resolveTheme("system")).toBe("light");
    expect(resolveTheme("dark")).toBe("dark");
    localStorage.setItem(THEME_STORAGE_KEY, "sepia");
    expect(storedTheme()).toBe("system");
  });

  it("takes a choice made in another tab", () => {
    systemPrefers(false);
    installTheme();
    localStorage.setItem(THEME_STORAGE_KEY, "dark");
    window.dispatchEvent(new StorageEvent("storage", { key: THEME_STORAGE_KEY }));
    expect(themeChoice.value).toBe("dark");
    expect(shown()).toBe("dark");
  });

  it("public/theme.js (run before the first paint) resolves a choice the same way", () => {
    const cases = [
      { stored: null, dark: true },
      { stored: null, dark: false },
      { stored: "light", dark: true },
      { stored: "dark", dark: false },
      { stored: "bogus", dark: true },
    ] as const;
    for (const { stored, dark } of cases) {
      systemPrefers(dark);
      if (stored) localStorage.setItem(THEME_STORAGE_KEY, stored);
      else localStorage.removeItem(THEME_STORAGE_KEY);
      new Function(boot)();
      expect(shown(), `stored ${stored}, system dark ${dark}`).toBe(resolveTheme(storedTheme()));
    }
  });
});
