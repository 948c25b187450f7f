import { describe, expect, it } from "vitest";
import { describeActivity, describeEvent } from "./activity";

describe("describeActivity", () => {
  it("tells the owner what an administrator did to their account", () => {
    expect(describeActivity("role_changed")).toEqual({
      text: "Your role was changed by an administrator",
      tone: "warning",
    });
    expect(describeActivity("signed_out_by_admin").text).toBe(
      "An administrator signed you out everywhere",
    );
    expect(describeActivity("session_revoked_by_admin").text).toBe(
      "An administrator logged out one of your devices",
    );
    expect(describeActivity("account_disabled").tone).toBe("danger");
    expect(describeActivity("account_enabled").tone).toBe("good");
  });

  it("says the same to an administrator in the third person", () => {
    expect(describeActivity("role_changed", "admin").text).toBe("Role changed");
    expect(describeActivity("account_disabled", "admin").text).toBe("Account disabled");
    expect(describeActivity("account_enabled", "admin").text).toBe("Account enabled again");
    expect(describeActivity("signed_out_by_admin", "admin").text).toBe(
      "Signed out everywhere by an administrator",
    );
    // Everything else reads the same from either side.
    expect(describeActivity("signed_in", "admin")).toEqual(describeActivity("signed_in"));
  });

  it("describes the second-factor, passkey and step-up events", () => {
    for (const type of [
      "second_factor_requested",
      "second_factor_enabled",
      "second_factor_disabled",
      "recovery_codes_regenerated",
      "recovery_code_used",
      "passkey_added",
      "passkey_removed",
      "second_factor_failed",
      "reauthenticated",
      "reauthentication_failed",
    ]) {
      expect(describeActivity(type).text).not.toBe(type);
    }
    expect(describeActivity("second_factor_failed").tone).toBe("danger");
    expect(describeActivity("passkey_added").text).toBe("Passkey added");
  });

  it("shows an unknown type as it is", () => {
    expect(describeActivity("something_new", "admin")).toEqual({
      text: "something_new",
      tone: "neutral",
    });
  });

  it("names the device a single sign-out ended, when the entry says which", () => {
    const detail = { device: "Chrome 130 on Android 14" };
    expect(describeEvent({ type: "session_revoked", detail }).text).toBe(
      "Logged out Chrome 130 on Android 14",
    );
    expect(describeEvent({ type: "session_revoked_by_admin", detail }).text).toBe(
      "An administrator logged out Chrome 130 on Android 14",
    );
    expect(describeEvent({ type: "session_revoked_by_admin", detail }, "admin").text).toBe(
      "Chrome 130 on Android 14 was logged out by an administrator",
    );
    // An entry recorded before the server named devices reads as it did.
    expect(describeEvent({ type: "session_revoked" })).toEqual(describeActivity("session_revoked"));
    expect(describeEvent({ type: "signed_in", detail: { methods: "password" } })).toEqual(
      describeActivity("signed_in"),
    );
  });
});
