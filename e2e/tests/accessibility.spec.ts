import { describeViolations, runAxe, settle } from "../../apps/web/scripts/audit/axe";
import { PAGE_STATES, VARIANTS, register, uniqueEmail } from "../../apps/web/scripts/audit/states";
import { expect, test } from "../fixtures";

/**
 * axe-core (WCAG 2.x A and AA) on the SPA's main page states, each at desktop size and 375 px
 * wide, in the light and the dark colour scheme: any violation fails. The states and the axe
 * runner are those of `pnpm --filter @hybrid-auth/web run audit` (apps/web/scripts/audit),
 * which checks every state (21, the admin pages and the error states included); CI checks
 * these, to stay within a minute.
 */
const CHECKED = [
  "landing",
  "sign-in",
  "sign-up: password feedback",
  "to-dos: with items",
  "to-dos: editing one",
  "devices",
  "account",
  "account: step-up dialog",
  "not-found",
].map((name) => {
  const state = PAGE_STATES.find((candidate) => candidate.name === name);
  if (!state) throw new Error(`no page state named ${name}`);
  return state;
});

for (const state of CHECKED) {
  test(`axe: ${state.name}`, async ({ page, request }) => {
    // One state, four variants: four axe runs.
    test.setTimeout(60_000);
    const taken = uniqueEmail("taken");
    if (state.name === "sign-up: server error") await register(request, taken);
    if (state.as === "user") await register(page.context().request, uniqueEmail("axe"));

    let ready = false;
    for (const variant of VARIANTS) {
      await page.setViewportSize(variant.viewport);
      await page.emulateMedia({ colorScheme: variant.colorScheme });
      // A toast fades on its own: bring it back for every variant.
      if (!ready || state.transient) await state.setup(page, { takenEmail: taken });
      ready = true;
      await settle(page);
      const violations = await runAxe(page);
      expect.soft(violations, `${variant.name}:\n${describeViolations(violations)}`).toEqual([]);
    }
  });
}
