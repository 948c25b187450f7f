import { describe, expect, it } from "vitest";
import { SESSION_ENDED_TYPE, sessionEndedProblem } from "../http/problem.js";
import type { SessionRevocationReason } from "../plugins/hooks.js";
import { endedReasonOf, SESSION_ENDED_REASONS } from "./ended-session.js";

describe("endedReasonOf", () => {
  it("names every recorded revocation reason in the public vocabulary", () => {
    const recorded: Record<SessionRevocationReason, string> = {
      signed_out: "signed_out",
      session_revoked: "signed_out",
      signed_out_others: "signed_out",
      replaced_by_sign_in: "signed_out",
      signed_out_everywhere: "signed_out_everywhere",
      admin_signed_out: "revoked_by_admin",
      admin_revoked_session: "revoked_by_admin",
      password_changed: "password_changed",
      password_reset: "password_changed",
      token_reuse_detected: "token_reuse",
      user_disabled: "account_disabled",
      account_deleted: "account_deleted",
    };
    for (const [stored, shown] of Object.entries(recorded)) {
      expect(endedReasonOf(stored), stored).toBe(shown);
      expect(SESSION_ENDED_REASONS).toContain(shown);
    }
  });

  it("says nothing for a session revoked before reasons were kept, or an unknown reason", () => {
    expect(endedReasonOf(null)).toBeUndefined();
    expect(endedReasonOf("a_reason_from_the_future")).toBeUndefined();
    expect(endedReasonOf("toString")).toBeUndefined();
  });
});

describe("sessionEndedProblem", () => {
  it("is a 401 of its own type with the reason and a sentence for each reason", () => {
    const details = new Set<string>();
    for (const reason of SESSION_ENDED_REASONS) {
      const problem = sessionEndedProblem(reason);
      expect(problem).toMatchObject({
        status: 401,
        type: SESSION_ENDED_TYPE,
        extensions: { reason },
      });
      details.add(problem.detail!);
    }
    expect(details.size).toBe(SESSION_ENDED_REASONS.length);
  });
});
