/* global document, matchMedia */
// The remembered theme, applied before the first paint (no flash of the other theme): a
// classic, render-blocking script, since the CSP allows no inline one. It mirrors
// src/lib/theme.ts (same storage key, same resolution), which takes over once the app runs.
(() => {
  let choice = null;
  try {
    choice = localStorage.getItem("tidy-theme");
  } catch {
    // Storage refused: follow the system.
  }
  const dark =
    choice === "dark" ||
    (choice !== "light" &&
      typeof matchMedia === "function" &&
      matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
})();
