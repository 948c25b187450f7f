import { readonly, ref } from "vue";

/** What the user chose in the theme switch; "system" follows the device's setting. */
export type ThemeChoice = "system" | "light" | "dark";

/**
 * Where the choice is remembered (absent: "system"). public/theme.js reads the same key before
 * the first paint: keep the two in step.
 */
export const THEME_STORAGE_KEY = "tidy-theme";

const DARK_QUERY = "(prefers-color-scheme: dark)";

function parse(value: string | null | undefined): ThemeChoice {
  return value === "light" || value === "dark" ? value : "system";
}

/** The remembered choice ("system" when none, or when storage cannot be read). */
export function storedTheme(): ThemeChoice {
  try {
    return parse(localStorage.getItem(THEME_STORAGE_KEY));
  } catch {
    return "system";
  }
}

/** The theme a choice shows now: "system" asks the device. */
export function resolveTheme(choice: ThemeChoice): "light" | "dark" {
  if (choice !== "system") return choice;
  return window.matchMedia?.(DARK_QUERY).matches ? "dark" : "light";
}

const choice = ref<ThemeChoice>("system");

/** The current choice, for the switch (change it with `setTheme`). */
export const themeChoice = readonly(choice);

function apply(): void {
  document.documentElement.dataset.theme = resolveTheme(choice.value);
}

/** Shows and remembers a choice (`"system"` forgets any earlier one). */
export function setTheme(next: ThemeChoice): void {
  choice.value = next;
  try {
    if (next === "system") localStorage.removeItem(THEME_STORAGE_KEY);
    else localStorage.setItem(THEME_STORAGE_KEY, next);
  } catch {
    // Storage refused (private mode, quota): the choice holds for this page only.
  }
  apply();
}

let installed = false;

/**
 * Applies the remembered theme (public/theme.js already did, before the first paint; this
 * covers a page where that script did not run) and keeps it current: the device switching
 * between light and dark while the choice is "system", and a choice made in another tab.
 */
export function installTheme(): void {
  choice.value = storedTheme();
  apply();
  if (installed) return;
  installed = true;
  window.matchMedia?.(DARK_QUERY).addEventListener("change", apply);
  window.addEventListener("storage", (event) => {
    if (event.key !== THEME_STORAGE_KEY && event.key !== null) return;
    choice.value = storedTheme();
    apply();
  });
}
