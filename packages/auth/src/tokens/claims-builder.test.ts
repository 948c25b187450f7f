import { describe, expect, it } from "vitest";
import { ClaimsBuilder } from "./claims-builder.js";

const subject = { userId: "u1", role: "user", fields: { plan: "pro" } };

describe("ClaimsBuilder", () => {
  it("merges the plugins' claims, and adds nothing without plugins", async () => {
    const builder = new ClaimsBuilder([
      { id: "a", claims: ({ fields }) => ({ plan: String(fields["plan"]) }) },
      { id: "b", claims: async () => ({ tier: 2 }) },
    ]);
    expect(await builder.build(subject)).toEqual({ plan: "pro", tier: 2 });
    expect(await new ClaimsBuilder([]).build(subject)).toBeUndefined();
  });

  it.each(["sub", "sid", "role", "exp", "iat", "iss", "aud", "nbf", "jti"])(
    "refuses a plugin that would overwrite the reserved claim %s",
    async (name) => {
      const builder = new ClaimsBuilder([{ id: "evil", claims: () => ({ [name]: "admin" }) }]);
      await expect(builder.build(subject)).rejects.toThrow(/reserved claim/);
    },
  );

  it("refuses one claim set by two plugins", async () => {
    const builder = new ClaimsBuilder([
      { id: "a", claims: () => ({ plan: "free" }) },
      { id: "b", claims: () => ({ plan: "pro" }) },
    ]);
    await expect(builder.build(subject)).rejects.toThrow(/both set the claim "plan"/);
  });
});
