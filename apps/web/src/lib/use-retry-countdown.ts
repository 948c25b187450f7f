import { onBeforeUnmount, ref, type Ref } from "vue";
import { tooManyAttemptsMessage } from "../api/client";

/**
 * A 429's cool-down on a form: `start(seconds)` counts down once a second in `retryIn` and
 * keeps `message` saying how long is left, then clears it. Stops with the component.
 *
 * @example
 * const { retryIn, start } = useRetryCountdown(formError);
 * if (error.status === 429) start(error.retryAfterSeconds ?? 60);
 */
export function useRetryCountdown(message: Ref<string | null>) {
  const retryIn = ref(0);
  let timer: ReturnType<typeof setInterval> | undefined;
  function start(seconds: number) {
    retryIn.value = seconds;
    message.value = tooManyAttemptsMessage(seconds);
    clearInterval(timer);
    timer = setInterval(() => {
      retryIn.value = Math.max(0, retryIn.value - 1);
      if (retryIn.value === 0) {
        clearInterval(timer);
        message.value = null;
      } else {
        message.value = tooManyAttemptsMessage(retryIn.value);
      }
    }, 1000);
  }
  onBeforeUnmount(() => clearInterval(timer));
  return { retryIn, start };
}
