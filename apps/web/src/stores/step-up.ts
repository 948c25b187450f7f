import { reactive, readonly } from "vue";
import type { StepUpChallenge } from "../api/client";

/**
 * The step-up in progress: the API client asks (a sensitive action answered 401 "reauthentication
 * required"), the app's step-up dialog shows while `challenge` is set and answers with `finish`.
 * One ask at a time: the client shares it between concurrent requests.
 */
export function createStepUpStore() {
  const state = reactive({ challenge: null as StepUpChallenge | null });
  let settle: ((proven: boolean) => void) | null = null;

  return {
    state: readonly(state),

    /** Shows the dialog; resolves `true` once the user proved who they are, `false` if cancelled. */
    ask(challenge: StepUpChallenge): Promise<boolean> {
      settle?.(false);
      state.challenge = { methods: [...challenge.methods], maxAgeSeconds: challenge.maxAgeSeconds };
      return new Promise<boolean>((resolve) => {
        settle = resolve;
      });
    },

    /** The dialog's answer. */
    finish(proven: boolean): void {
      const resolve = settle;
      settle = null;
      state.challenge = null;
      resolve?.(proven);
    },
  };
}

export type StepUpStore = ReturnType<typeof createStepUpStore>;

/** The app-wide instance. */
export const stepUp = createStepUpStore();
