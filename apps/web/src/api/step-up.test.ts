import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, send, setStepUpHandler, setUnauthorizedHandler } from "./client";
import ChangeEmailCard from "../components/ChangeEmailCard.vue";
import StepUpDialog from "../components/StepUpDialog.vue";
import { createStepUpStore } from "../stores/step-up";
import { deferred, json, mockFetch, problem, type Call } from "../testing/fetch-mock";

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(() => {});
  setStepUpHandler(null);
  document.body.innerHTML = "";
});

const reauthRequired = (methods = ["password"], maxAgeSeconds = 600) =>
  problem(401, "Confirm it's you first.", {
    type: "/problems/reauthentication-required",
    title: "Reauthentication required",
    methods,
    maxAgeSeconds,
  });

/** A route answering "reauthentication required" until `proven()` is called, then `answer`. */
function guarded(answer: (call: Call) => Response, methods?: string[]) {
  let recent = false;
  return {
    handler: (call: Call) => (recent ? answer(call) : reauthRequired(methods)),
    proven: () => (recent = true),
  };
}

const changeEmail = () =>
  send(api.auth.email.change.$post({ json: { newEmail: "ada@new.example", password: "pw" } }));

describe("step-up in apiFetch", () => {
  it("asks once, then sends the same request again and answers with the retry", async () => {
    const route = guarded(() => json({ message: "Sent." }, 202));
    const { calls } = mockFetch({ "POST /api/auth/email/change": route.handler });
    const ask = vi.fn(async () => {
      route.proven();
      return true;
    });
    setStepUpHandler(ask);
    const unauthorized = vi.fn();
    setUnauthorizedHandler(unauthorized);

    const response = await changeEmail();
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ message: "Sent." });
    expect(ask).toHaveBeenCalledExactlyOnceWith({ methods: ["password"], maxAgeSeconds: 600 });
    expect(calls).toHaveLength(2);
    expect(calls[1]!.body).toEqual(calls[0]!.body);
    expect(calls[1]!.body).toEqual({ newEmail: "ada@new.example", password: "pw" });
    expect(unauthorized).not.toHaveBeenCalled();
  });

  it("passes the server's methods and max age on", async () => {
    const route = guarded(() => json({}, 202), ["totp", "passkey"]);
    mockFetch({ "POST /api/auth/email/change": route.handler });
    const ask = vi.fn(async () => (route.proven(), true));
    setStepUpHandler(ask);
    await changeEmail();
    expect(ask).toHaveBeenCalledWith({ methods: ["totp", "passkey"], maxAgeSeconds: 600 });
  });

  it("concurrent step-ups share one ask; each request is retried with its own body", async () => {
    const route = guarded((call) => json({ echoed: call.body }, 202));
    const { calls } = mockFetch({
      "POST /api/auth/email/change": route.handler,
      "DELETE /api/auth/me": route.handler,
    });
    const answer = deferred<boolean>();
    const ask = vi.fn(() => answer.promise);
    setStepUpHandler(ask);

    const first = changeEmail();
    const second = send(api.auth.me.$delete({ json: { password: "other" } }));
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    await flushPromises();
    expect(ask).toHaveBeenCalledTimes(1);

    route.proven();
    answer.resolve(true);
    const [a, b] = await Promise.all([first, second]);
    expect(await a.json()).toEqual({ echoed: { newEmail: "ada@new.example", password: "pw" } });
    expect(await b.json()).toEqual({ echoed: { password: "other" } });
    expect(calls).toHaveLength(4);
  });

  it("cancelled: the call rejects with a 'not done' error, the session is not ended", async () => {
    const route = guarded(() => json({}, 202));
    const { calls } = mockFetch({ "POST /api/auth/email/change": route.handler });
    setStepUpHandler(async () => false);
    const unauthorized = vi.fn();
    setUnauthorizedHandler(unauthorized);

    const error = (await changeEmail().catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe("Not done: confirmation needed.");
    expect(error.isType("reauthentication-cancelled")).toBe(true);
    expect(error.status).not.toBe(401); // pages treat 401 as "on the way to sign-in"
    expect(calls).toHaveLength(1);
    expect(unauthorized).not.toHaveBeenCalled();
  });

  it("without a dialog (no handler), the action is simply not done", async () => {
    mockFetch({ "POST /api/auth/email/change": () => reauthRequired() });
    await expect(changeEmail()).rejects.toMatchObject({
      message: "Not done: confirmation needed.",
    });
  });

  it("a 401 of any other type still means the session ended", async () => {
    mockFetch({ "POST /api/auth/email/change": () => problem(401, "Sign in to continue.") });
    const ask = vi.fn(async () => true);
    setStepUpHandler(ask);
    const unauthorized = vi.fn();
    setUnauthorizedHandler(unauthorized);
    await expect(changeEmail()).rejects.toMatchObject({ status: 401 });
    expect(ask).not.toHaveBeenCalled();
    expect(unauthorized).toHaveBeenCalledTimes(1);
  });

  it("asks again if the retry still needs a step-up (the user may then cancel)", async () => {
    mockFetch({ "POST /api/auth/email/change": () => reauthRequired() });
    const ask = vi.fn().mockResolvedValueOnce(true).mockResolvedValueOnce(false);
    setStepUpHandler(ask);
    await expect(changeEmail()).rejects.toMatchObject({
      message: "Not done: confirmation needed.",
    });
    expect(ask).toHaveBeenCalledTimes(2);
  });
});

/** The dialog wired to the client, as App.vue does, plus a form that needs a step-up. */
function mountWithDialog() {
  const store = createStepUpStore();
  setStepUpHandler((challenge) => store.ask(challenge));
  const dialog = mount(StepUpDialog, { props: { store }, attachTo: document.body });
  const card = mount(ChangeEmailCard, {
    props: { currentEmail: "ada@example.com" },
    attachTo: document.body,
  });
  return { store, dialog, card };
}

describe("StepUpDialog", () => {
  it("password: a wrong one keeps the dialog open; the right one retries the form's request", async () => {
    const route = guarded(() => json({ message: "Sent." }, 202));
    const { calls } = mockFetch({
      "POST /api/auth/email/change": route.handler,
      "POST /api/auth/reauthenticate": (call) => {
        const { password } = call.body as { password: string };
        if (password !== "right-password") {
          return problem(422, "Invalid.", {
            errors: [{ pointer: "/password", detail: "is incorrect" }],
          });
        }
        route.proven();
        return json({ authTime: "2030-01-01T00:00:00.000Z" });
      },
    });
    const { dialog, card } = mountWithDialog();
    await card.find("#new-email").setValue("ada@new.example");
    await card.find("#email-change-password").setValue("pw");
    await card.find("form").trigger("submit");
    await flushPromises();

    const element = dialog.find("dialog").element as HTMLDialogElement;
    expect(element.open).toBe(true);
    expect(dialog.find("h2").text()).toBe("Confirm it's you");
    expect(dialog.text()).toContain("You won't be asked again for 10 minutes.");
    const field = dialog.find<HTMLInputElement>("input[type=password]");
    expect(document.activeElement).toBe(field.element);
    expect(dialog.find("input[autocomplete=one-time-code]").exists()).toBe(false);

    await field.setValue("wrong");
    await dialog.find("form").trigger("submit");
    await flushPromises();
    expect(element.open).toBe(true);
    expect(dialog.find(".field-error").text()).toBe("Password is incorrect.");
    expect(dialog.find("[aria-live=assertive]").text()).toBe("Password is incorrect.");
    expect(document.activeElement).toBe(field.element);
    // The form behind the dialog still waits, with what the user typed.
    expect(card.find<HTMLInputElement>("#new-email").element.value).toBe("ada@new.example");

    await field.setValue("right-password");
    await dialog.find("form").trigger("submit");
    await flushPromises();
    expect(element.open).toBe(false);
    const changes = calls.filter((c) => c.path === "/api/auth/email/change");
    expect(changes).toHaveLength(2);
    expect(changes[1]!.body).toEqual({ newEmail: "ada@new.example", password: "pw" });
    expect(card.find('[role="status"]').text()).toContain("We sent a link to ada@new.example");
  });

  it("cancel: the form says the change was not done", async () => {
    mockFetch({ "POST /api/auth/email/change": () => reauthRequired() });
    const { dialog, card } = mountWithDialog();
    await card.find("#new-email").setValue("ada@new.example");
    await card.find("#email-change-password").setValue("pw");
    await card.find("form").trigger("submit");
    await flushPromises();
    const cancel = dialog.findAll("button").find((b) => b.text() === "Cancel")!;
    await cancel.trigger("click");
    await flushPromises();
    expect((dialog.find("dialog").element as HTMLDialogElement).open).toBe(false);
    expect(card.find('[role="alert"]').text()).toBe("Not done: confirmation needed.");
    expect(card.find<HTMLInputElement>("#new-email").element.value).toBe("ada@new.example");
    expect(card.find<HTMLInputElement>("#email-change-password").element.value).toBe("pw");
  });

  it("TOTP: a 6-digit code field, checked before sending, then sent to /reauthenticate/totp", async () => {
    const route = guarded(() => json({}, 202), ["totp"]);
    const { calls } = mockFetch({
      "POST /api/auth/email/change": route.handler,
      "POST /api/auth/reauthenticate/totp": (call) => {
        if ((call.body as { code: string }).code !== "123456") {
          return problem(422, "Invalid.", { errors: [{ pointer: "/code", detail: "is wrong" }] });
        }
        route.proven();
        return json({ authTime: "2030-01-01T00:00:00.000Z" });
      },
    });
    const { dialog, card } = mountWithDialog();
    await card.find("#new-email").setValue("ada@new.example");
    await card.find("#email-change-password").setValue("pw");
    await card.find("form").trigger("submit");
    await flushPromises();

    expect(dialog.find("input[type=password]").exists()).toBe(false);
    const code = dialog.find<HTMLInputElement>("input[autocomplete=one-time-code]");
    expect(code.attributes("inputmode")).toBe("numeric");
    expect(dialog.find(`label[for="${code.attributes("id")}"]`).text()).toBe("6-digit code");

    await code.setValue("12345");
    await dialog.find("form").trigger("submit");
    expect(dialog.find(".field-error").text()).toBe("The code is 6 digits, like 123456.");
    expect(calls.filter((c) => c.path.includes("reauthenticate"))).toHaveLength(0);

    await code.setValue("654321");
    await dialog.find("form").trigger("submit");
    await flushPromises();
    expect(dialog.find(".field-error").text()).toContain("That code is not right");

    await code.setValue("123 456");
    await dialog.find("form").trigger("submit");
    await flushPromises();
    expect((dialog.find("dialog").element as HTMLDialogElement).open).toBe(false);
    expect(calls.filter((c) => c.path.endsWith("/totp")).at(-1)!.body).toEqual({ code: "123456" });
    expect(card.find('[role="status"]').text()).toContain("We sent a link");
  });

  it("a password that is not enough (403 with methods) switches to what is", async () => {
    const { calls } = mockFetch({
      "POST /api/auth/email/change": () => reauthRequired(["password", "totp"]),
      "POST /api/auth/reauthenticate": () =>
        problem(403, "Use your second factor.", {
          type: "/problems/reauthentication-required",
          methods: ["totp"],
          maxAgeSeconds: 600,
        }),
    });
    const { dialog, card } = mountWithDialog();
    await card.find("#new-email").setValue("ada@new.example");
    await card.find("#email-change-password").setValue("pw");
    await card.find("form").trigger("submit");
    await flushPromises();
    await dialog.find("input[type=password]").setValue("secret");
    await dialog.find("form").trigger("submit");
    await flushPromises();
    expect(dialog.find("input[type=password]").exists()).toBe(false);
    expect(dialog.find("input[autocomplete=one-time-code]").exists()).toBe(true);
    expect(dialog.find('[role="alert"]').text()).toContain("authenticator app");
    expect(calls.filter((c) => c.path === "/api/auth/reauthenticate")).toHaveLength(1);
  });

  it("offers a passkey when the methods include one and the browser has WebAuthn", async () => {
    vi.stubGlobal("PublicKeyCredential", function PublicKeyCredential() {});
    mockFetch({ "POST /api/auth/email/change": () => reauthRequired(["passkey"]) });
    const { dialog, card } = mountWithDialog();
    await card.find("#new-email").setValue("ada@new.example");
    await card.find("#email-change-password").setValue("pw");
    await card.find("form").trigger("submit");
    await flushPromises();
    const passkey = dialog.findAll("button").find((b) => b.text() === "Use a passkey");
    expect(passkey).toBeDefined();
    expect(document.activeElement).toBe(passkey!.element);
    expect(dialog.find("input").exists()).toBe(false);
  });
});

describe("StepUpDialog with a passkey", () => {
  it("a refused passkey (401 of the passkey route) is said in the dialog, which stays open", async () => {
    vi.stubGlobal("PublicKeyCredential", function PublicKeyCredential() {});
    vi.doMock("@simplewebauthn/browser", () => ({
      startAuthentication: vi.fn(async () => ({ id: "cred", rawId: "cred", type: "public-key" })),
    }));
    const unauthorized = vi.fn();
    setUnauthorizedHandler(unauthorized);
    const { calls } = mockFetch({
      "POST /api/auth/email/change": () => reauthRequired(["passkey"]),
      "POST /api/auth/passkeys/authenticate/options": () => json({ challenge: "abc" }),
      "POST /api/auth/passkeys/authenticate": () =>
        problem(401, "This passkey was not accepted.", { type: "/problems/passkey-refused" }),
    });
    const { dialog, card } = mountWithDialog();
    await card.find("#new-email").setValue("ada@new.example");
    await card.find("#email-change-password").setValue("pw");
    await card.find("form").trigger("submit");
    await flushPromises();
    await dialog
      .findAll("button")
      .find((b) => b.text() === "Use a passkey")!
      .trigger("click");
    await vi.waitFor(() =>
      expect(dialog.find('[role="alert"]').text()).toBe("This passkey was not accepted."),
    );
    expect((dialog.find("dialog").element as HTMLDialogElement).open).toBe(true);
    expect(calls.find((c) => c.path.endsWith("/options"))!.body).toEqual({
      purpose: "reauthenticate",
    });
    expect(unauthorized).not.toHaveBeenCalled();
    vi.doUnmock("@simplewebauthn/browser");
  });
});
