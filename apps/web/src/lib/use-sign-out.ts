import { ref } from "vue";
import { useRouter } from "vue-router";
import { session } from "../stores/session";
import { toasts } from "../stores/toasts";

/** Signs this device out (even when the server cannot be reached) and goes to sign-in. */
export function useSignOut() {
  const router = useRouter();
  const signingOut = ref(false);

  async function signOut(): Promise<void> {
    signingOut.value = true;
    try {
      await session.signOut();
      toasts.success("You're signed out.");
    } catch {
      toasts.info("Signed out on this device (the server could not be reached).");
    } finally {
      signingOut.value = false;
      await router.push({ name: "sign-in" });
    }
  }

  return { signingOut, signOut };
}
