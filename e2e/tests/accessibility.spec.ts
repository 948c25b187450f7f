import { describeViolations, runAxe, settle } from "../../apps/web/scripts/audit/axe";
import {
  PAGE_STATES,
  VARIANTS,
  register,
  uniqueEmail,
  type PageState,
} from "../../apps/web/scripts/audit/states";
import { expect, test } from "../fixtures";

/**
 * axe-core (WCAG 2.x A and AA) on the SPA's page states, each at desktop size and 375 px wide,
 * in the light and the dark colour scheme: any violation fails. The states, and the axe
 * runner, are the ones of `pnpm --filter @hybrid-auth/web run audit` (apps/web/scripts/audit),
 * which also covers the states that need a sign-in (the sign-in error, the admin pages):
 * every sign-in attempt here would come out of the run's per-address budget.
 */
const CHECKED = PAGE_STATES.filter(
  (state) => state.as !== "admin" && state.name !== "sign-in: error shown",
);

const byName = (name: string): PageState => {
  const state = PAGE_STATES.find((candidate) => candidate.name === name);
  if (!state) throw new Error(`no page state named ${name}`);
  return state;
};

// The states the issue names must stay covered, whatever the list above becomes.
for (const required of [
  "landing",
  "sign-in",
  "sign-up: password feedback",
  "to-dos: with items",
  "devices",
  "account",
  "not-found",
]) {
  if (!CHECKED.includes(byName(required))) throw new Error(`${required} must be checked`);
}

for (const state of CHECKED) {
  test(`axe: ${state.name}`, async ({ page, request }) => {
    // One state, four variants: four axe runs (and four set-ups for a toast).
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
