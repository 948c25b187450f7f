import { mount } from "@vue/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { installTheme, THEME_STORAGE_KEY } from "../lib/theme";
import ThemeSwitch from "./ThemeSwitch.vue";

beforeEach(() => {
  localStorage.clear();
  vi.stubGlobal("matchMedia", () => ({ matches: false, addEventListener: () => {} }));
});
afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

describe("ThemeSwitch", () => {
  it("is a named radio group of system, light and dark, showing the remembered choice", () => {
    localStorage.setItem(THEME_STORAGE_KEY, "dark");
    installTheme();
    const wrapper = mount(ThemeSwitch, { attachTo: document.body });
    expect(wrapper.find("fieldset legend").text()).toBe("Theme");
    const radios = wrapper.findAll<HTMLInputElement>("input[type=radio]");
    expect(radios.map((radio) => radio.element.labels?.[0]?.textContent?.trim())).toEqual([
      "System",
      "Light",
      "Dark",
    ]);
    // One group: the arrow keys move between them.
    expect(new Set(radios.map((radio) => radio.element.name)).size).toBe(1);
    expect(radios.map((radio) => radio.element.checked)).toEqual([false, false, true]);
  });

  it("applies and remembers a choice", async () => {
    installTheme();
    const wrapper = mount(ThemeSwitch, { attachTo: document.body });
    expect(document.documentElement.dataset.theme).toBe("light");
    await wrapper.findAll("input[type=radio]")[2]!.setValue(true);
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe("dark");

    await wrapper.findAll("input[type=radio]")[0]!.setValue(true);
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBeNull();
    expect(document.documentElement.dataset.theme).toBe("light");
  });
});
