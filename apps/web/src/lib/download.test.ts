import { afterEach, describe, expect, it, vi } from "vitest";
import { defaultExportName, saveBlob } from "./download";

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("saveBlob", () => {
  it("clicks a temporary <a download> on an object URL, then cleans up", () => {
    vi.useFakeTimers();
    const create = vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:tidy/1");
    const revoke = vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
    const clicked: { href: string; download: string; attached: boolean }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push({ href: this.href, download: this.download, attached: this.isConnected });
    });

    const blob = new Blob(["{}"], { type: "application/json" });
    saveBlob(blob, "tidy-export-2030-01-02.json");

    expect(create).toHaveBeenCalledWith(blob);
    expect(clicked).toEqual([
      { href: "blob:tidy/1", download: "tidy-export-2030-01-02.json", attached: true },
    ]);
    expect(document.querySelector("a[download]")).toBeNull();
    expect(revoke).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1000);
    expect(revoke).toHaveBeenCalledWith("blob:tidy/1");
  });
});

describe("defaultExportName", () => {
  it("is tidy-export-YYYY-MM-DD.json in local time", () => {
    expect(defaultExportName(new Date(2030, 0, 2, 23, 59))).toBe("tidy-export-2030-01-02.json");
    expect(defaultExportName(new Date(2031, 10, 30))).toBe("tidy-export-2031-11-30.json");
  });
});
