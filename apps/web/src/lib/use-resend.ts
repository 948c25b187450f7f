import { onScopeDispose, ref } from "vue";
import { ApiError, tooManyAttemptsMessage } from "../api/client";

export type ResendOutcome = { tone: "success" | "error" | "info"; message: string };

/**
 * A "send me another email" button's state: sending, what happened (for a live region), and the
 * cool-down of a 429 (the button stays disabled and the message counts down). `send` resolves
 * with the message to show; `onError` may turn a specific failure (e.g. 409 "already
 * verified") into an outcome of its own, or return undefined for the default message.
 */
export function useResend(
  send: () => Promise<string>,
  onError?: (error: unknown) => ResendOutcome | undefined,
) {
  const sending = ref(false);
  const outcome = ref<ResendOutcome | null>(null);
  const retryIn = ref(0);
  let countdown: ReturnType<typeof setInterval> | undefined;

  function startCountdown(seconds: number) {
    retryIn.value = seconds;
    outcome.value = { tone: "error", message: tooManyAttemptsMessage(seconds) };
    clearInterval(countdown);
    countdown = setInterval(() => {
      retryIn.value = Math.max(0, retryIn.value - 1);
      if (retryIn.value === 0) {
        clearInterval(countdown);
        outcome.value = null;
      } else {
        outcome.value = { tone: "error", message: tooManyAttemptsMessage(retryIn.value) };
      }
    }, 1000);
  }
  onScopeDispose(() => clearInterval(countdown));

  async function resend(): Promise<void> {
    if (sending.value || retryIn.value > 0) return;
    sending.value = true;
    outcome.value = null;
    try {
      outcome.value = { tone: "success", message: await send() };
    } catch (error) {
      const custom = onError?.(error);
      if (custom) outcome.value = custom;
      else if (error instanceof ApiError && error.status === 429)
        startCountdown(error.retryAfterSeconds ?? 60);
      else if (error instanceof ApiError && error.status === 401) outcome.value = null;
      else
        outcome.value = {
          tone: "error",
          message: error instanceof Error ? error.message : "Could not send the email. Try again.",
        };
    } finally {
      sending.value = false;
    }
  }

  return { sending, outcome, retryIn, resend };
}
