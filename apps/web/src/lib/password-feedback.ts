import { ref, watch, type Ref } from "vue";

type PolicyModule = typeof import("@hybrid-auth/auth/password-policy");

let policyModule: Promise<PolicyModule> | undefined;
/**
 * The shared password policy (the server's own rules). Its zxcvbn dictionaries weigh hundreds
 * of kilobytes, so the module is fetched on first use, never with the initial bundle.
 */
export function loadPasswordPolicy(): Promise<PolicyModule> {
  policyModule ??= import("@hybrid-auth/auth/password-policy");
  return policyModule;
}

export type Strength = {
  /** 0 empty, 1 wrong length, 2 too easy to guess, 3 acceptable, 4 long and acceptable. */
  level: 0 | 1 | 2 | 3 | 4;
  label: string;
  /** Why the server would refuse it, in the server's words; undefined when acceptable. */
  problem: string | undefined;
};

const EMPTY: Strength = { level: 0, label: "", problem: undefined };

/** Checks a password exactly as the server will (same module, same policy, same context). */
export async function checkPassword(password: string, context: string[]): Promise<Strength> {
  if (password.length === 0) return EMPTY;
  const { DEFAULT_PASSWORD_POLICY, normalizePassword, passwordProblem } =
    await loadPasswordPolicy();
  const normalized = normalizePassword(password);
  const problem = passwordProblem(
    normalized,
    DEFAULT_PASSWORD_POLICY,
    context.map((word) => word.trim()).filter(Boolean),
  );
  if (problem?.startsWith("must be at least")) return { level: 1, label: "Too short", problem };
  if (problem?.startsWith("must be")) return { level: 1, label: "Too long", problem };
  if (problem) return { level: 2, label: "Too easy to guess", problem };
  return [...normalized].length >= 16
    ? { level: 4, label: "Strong", problem }
    : { level: 3, label: "Good", problem };
}

/**
 * Live strength feedback while typing (debounced). `strength` follows `password`; `settle()`
 * resolves with the verdict for the current value, for use on submit.
 */
export function usePasswordFeedback(password: Ref<string>, context: () => string[]) {
  const strength = ref<Strength>(EMPTY);
  const checking = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let run = 0;

  async function evaluate(): Promise<Strength> {
    const mine = ++run;
    checking.value = true;
    try {
      const result = await checkPassword(password.value, context());
      if (mine === run) strength.value = result;
      return result;
    } finally {
      if (mine === run) checking.value = false;
    }
  }

  watch(
    [password, context],
    () => {
      clearTimeout(timer);
      if (!password.value) {
        run++;
        strength.value = EMPTY;
        checking.value = false;
        return;
      }
      timer = setTimeout(() => void evaluate(), 120);
    },
    { deep: true },
  );

  return {
    strength,
    checking,
    /** Starts downloading the policy early (e.g. when the field gets focus). */
    preload: () => void loadPasswordPolicy(),
    settle: (): Promise<Strength> => {
      clearTimeout(timer);
      return evaluate();
    },
  };
}
