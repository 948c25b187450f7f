import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, mockFetch, problem } from "../testing/fetch-mock";
import ChangeEmailCard from "./ChangeEmailCard.vue";

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

async function submit(answer: () => Response, newEmail = "ada@new.example", password = "pw") {
  const mocks = mockFetch({ "POST /api/auth/email/change": answer });
  const wrapper = mount(ChangeEmailCard, {
    props: { currentEmail: "ada@example.com" },
    attachTo: document.body,
  });
  await wrapper.find("#new-email").setValue(newEmail);
  await wrapper.find("#email-change-password").setValue(password);
  await wrapper.find("form").trigger("submit");
  await flushPromises();
  return { wrapper, ...mocks };
}

describe("ChangeEmailCard", () => {
  it("202: says where the link went and that the email changes when it is opened", async () => {
    const { wrapper, calls } = await submit(() => json({ message: "Check your inbox." }, 202));
    expect(calls[0]).toMatchObject({
      method: "POST",
      path: "/api/auth/email/change",
      body: { newEmail: "ada@new.example", password: "pw" },
    });
    const status = wrapper.find('[role="status"]').text();
    expect(status).toContain("We sent a link to ada@new.example");
    expect(status).toContain("Your email changes when you open it");
    expect(status).toContain("keep signing in with ada@example.com");
    expect(wrapper.find<HTMLInputElement>("#email-change-password").element.value).toBe("");
  });

  it("409: the address is taken, said on its field", async () => {
    const { wrapper } = await submit(() => problem(409, "Taken."));
    expect(wrapper.find("#new-email-error").text()).toBe(
      "Another account already uses this email address.",
    );
    expect(document.activeElement?.id).toBe("new-email");
  });

  it("422: a wrong password or an invalid address, each on its field", async () => {
    const wrong = await submit(() =>
      problem(422, "Invalid.", { errors: [{ pointer: "/password", detail: "is incorrect" }] }),
    );
    expect(wrong.wrapper.find("#email-change-password-error").text()).toBe(
      "Current password is incorrect.",
    );
    expect(document.activeElement?.id).toBe("email-change-password");

    const invalid = await submit(() =>
      problem(422, "Invalid.", { errors: [{ pointer: "/newEmail", detail: "is not valid" }] }),
    );
    expect(invalid.wrapper.find("#new-email-error").text()).toBe("Email is not valid.");
  });

  it("429: the cool-down", async () => {
    const { wrapper } = await submit(() => problem(429, "Slow down.", {}, { "Retry-After": "12" }));
    expect(wrapper.find('[role="alert"]').text()).toBe("Too many attempts — try again in 12 s.");
  });

  it("checks the form before sending: the same address, no password", async () => {
    const same = await submit(() => json({}, 202), "ADA@example.com");
    expect(same.wrapper.find("#new-email-error").text()).toBe("That's already your email address.");
    expect(same.calls).toHaveLength(0);

    const noPassword = await submit(() => json({}, 202), "ada@new.example", "");
    expect(noPassword.wrapper.find("#email-change-password-error").text()).toBe(
      "Enter your current password.",
    );
    expect(noPassword.calls).toHaveLength(0);
  });
});
