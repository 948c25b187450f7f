import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, mockFetch, problem } from "../testing/fetch-mock";
import ExportDataCard from "./ExportDataCard.vue";

const saveBlob = vi.hoisted(() => vi.fn());
vi.mock("../lib/download", async (original) => ({
  ...(await original<typeof import("../lib/download")>()),
  saveBlob,
}));

afterEach(() => {
  vi.unstubAllGlobals();
  saveBlob.mockReset();
});

describe("ExportDataCard", () => {
  it("downloads GET /me/export and saves it under the server's file name", async () => {
    const { calls } = mockFetch({
      "GET /api/auth/me/export": () =>
        json({ user: { id: "u1" }, todos: [] }, 200, {
          "Content-Disposition": 'attachment; filename="tidy-export-2030-01-02.json"',
        }),
    });
    const wrapper = mount(ExportDataCard);
    await wrapper.find("button").trigger("click");
    expect(wrapper.find("button").text()).toBe("Preparing…");
    await flushPromises();

    expect(calls[0]).toMatchObject({ method: "GET", path: "/api/auth/me/export" });
    expect(saveBlob).toHaveBeenCalledTimes(1);
    const [blob, name] = saveBlob.mock.calls[0]!;
    expect(name).toBe("tidy-export-2030-01-02.json");
    expect(JSON.parse(await (blob as Blob).text())).toEqual({ user: { id: "u1" }, todos: [] });
    expect(wrapper.find('[role="status"]').text()).toBe("Downloaded tidy-export-2030-01-02.json.");
    expect(wrapper.find("button").text()).toBe("Download my data");
  });

  it("names the file tidy-export-<today>.json when the server does not", async () => {
    mockFetch({ "GET /api/auth/me/export": () => json({}) });
    const wrapper = mount(ExportDataCard);
    await wrapper.find("button").trigger("click");
    await flushPromises();
    expect(saveBlob.mock.calls[0]![1]).toMatch(/^tidy-export-\d{4}-\d{2}-\d{2}\.json$/);
  });

  it("says so when the export fails, saving nothing", async () => {
    mockFetch({ "GET /api/auth/me/export": () => problem(500, "Boom.") });
    const wrapper = mount(ExportDataCard);
    await wrapper.find("button").trigger("click");
    await flushPromises();
    expect(saveBlob).not.toHaveBeenCalled();
    expect(wrapper.find('[role="status"]').text()).toBe("Couldn't prepare your data: Boom.");
  });
});
