import { onScopeDispose, ref, watch, type Ref } from "vue";
import type { InferResponseType } from "hono/client";
import type { api } from "../api/client";

type PolicyModule = typeof import("@hybrid-auth/auth/password-policy");
type ServerVerdict = InferResponseType<(typeof api.auth.password.check)["$post"], 200>;

let policyModule: Promise<PolicyModule> | undefined;
/**
 * The shared password policy module (the server's own rules, with the zxcvbn dictionaries:
 * ~750 KB compressed). Only a fallback now: the server checks passwords (decision 024), and
 * this is fetched only when a server does not offer the check.
 */
export function loadPasswordPolicy(): Promise<PolicyModule> {
  if (!policyModule) {
    policyModule = import("@hybrid-auth/auth/password-policy");
    policyModule.catch(() => (policyModule = undefined)); // offline: try again next time
  }
  return policyModule;
}

export type Strength = {
  /** 0 empty (or not checked), 1 wrong length, 2 too easy to guess, 3 acceptable, 4 long and acceptable. */
  level: 0 | 1 | 2 | 3 | 4;
  label: string;
  /** Why the server would refuse it, in the server's words; undefined when acceptable. */
  problem: string | undefined;
  /** The server could not be asked (offline, too many checks): it will judge on submit. */
  unchecked?: true;
};

const EMPTY: Strength = { level: 0, label: "", problem: undefined };
const UNCHECKED: Strength = { ...EMPTY, unchecked: true };

/**
 * The server's default length rules (`DEFAULT_PASSWORD_POLICY`, checked against it in the
 * tests), applied here at once and without a request; everything else is the server's call.
 */
export const LOCAL_LENGTH_RULES = { minLength: 8, maxLength: 256, maxBytes: 1024 };
/** How long typing must pause before the server is asked. */
export const CHECK_DELAY_MS = 300;
/** A check that takes longer than this is given up (feedback "not checked"). */
export const CHECK_TIMEOUT_MS = 5000;
const CHECK_PATH = "/api/auth/password/check";
/** The server's bounds on `context` (the user's email and name). */
const MAX_CONTEXT = { entries: 4, length: 254 };

function withLabel(level: 1 | 2 | 3 | 4, problem: string | undefined): Strength {
  if (level === 1) {
    return {
      level,
      label: problem?.startsWith("must be at least") ? "Too short" : "Too long",
      problem,
    };
  }
  if (level === 2) return { level, label: "Too easy to guess", problem };
  return { level, label: level === 4 ? "Strong" : "Good", problem: undefined };
}

/** The length rules, instantly: a verdict when they refuse `password`, else undefined. */
export function lengthVerdict(password: string): Strength | undefined {
  if (password.length === 0) return EMPTY;
  const normalized = password.normalize("NFKC");
  const { minLength, maxLength, maxBytes } = LOCAL_LENGTH_RULES;
  const length = [...normalized].length;
  if (length < minLength) return withLabel(1, `must be at least ${minLength} characters`);
  if (length > maxLength || new TextEncoder().encode(normalized).byteLength > maxBytes) {
    return withLabel(1, `must be at most ${maxLength} characters`);
  }
  return undefined;
}

/** The same verdict from the policy module in the browser, for a server without the check. */
async function checkLocally(password: string, context: string[]): Promise<Strength> {
  const { DEFAULT_PASSWORD_POLICY, normalizePassword, passwordProblem, personalWords } =
    await loadPasswordPolicy();
  const normalized = normalizePassword(password);
  const problem = passwordProblem(normalized, DEFAULT_PASSWORD_POLICY, personalWords(...context));
  if (problem) return withLabel(problem.startsWith("must be") ? 1 : 2, problem);
  return withLabel([...normalized].length >= 16 ? 4 : 3, undefined);
}

/** Statuses that mean "no such check here" (an older server): the module decides instead. */
const NO_CHECK_HERE = new Set([404, 405, 501]);

/**
 * Checks a password exactly as the server will: the length rules at once, the rest by asking
 * the server (`POST /api/auth/password/check`, a few hundred bytes). When the server cannot be
 * asked (offline, 429, an error, `signal` aborted) the verdict is "not checked", never a
 * refusal: the server still judges on submit.
 *
 * @example
 * const { label, problem } = await checkPassword("violet-kettle-harbour-93", ["ada@example.com"]);
 */
export async function checkPassword(
  password: string,
  context: string[],
  signal?: AbortSignal,
): Promise<Strength> {
  const local = lengthVerdict(password);
  if (local) return local;
  const words = context
    .map((word) => word.trim().slice(0, MAX_CONTEXT.length))
    .filter(Boolean)
    .slice(0, MAX_CONTEXT.entries);
  let response: Response;
  try {
    response = await fetch(CHECK_PATH, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(words.length > 0 ? { password, context: words } : { password }),
      ...(signal ? { signal } : {}),
    });
  } catch {
    return UNCHECKED; // offline, or aborted
  }
  try {
    if (response.ok) {
      const verdict = (await response.json()) as ServerVerdict;
      return withLabel(verdict.level, verdict.acceptable ? undefined : verdict.problem);
    }
    if (NO_CHECK_HERE.has(response.status)) return await checkLocally(password, words);
  } catch {
    // A body that is not the verdict, or the module could not be fetched.
  }
  return UNCHECKED;
}

/**
 * Live strength feedback while typing. `strength` follows `password`: the length rules at
 * once, the server's verdict once typing pauses for {@link CHECK_DELAY_MS}; `checking` is true
 * while that verdict is due. `settle()` resolves with the verdict for the current value, for
 * use on submit (at once when that value was just checked).
 */
export function usePasswordFeedback(password: Ref<string>, context: () => string[]) {
  const strength = ref<Strength>(EMPTY);
  const checking = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let run = 0;
  /** The last check: its input, and its verdict (reused while the input is the same). */
  let last: { key: string; verdict: Promise<Strength>; abort: () => void } | undefined;

  function verdictFor(value: string, words: string[]): Promise<Strength> {
    const key = JSON.stringify([value, words]);
    if (last?.key === key) return last.verdict;
    last?.abort(); // superseded: its answer would be thrown away
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), CHECK_TIMEOUT_MS);
    const verdict = checkPassword(value, words, controller.signal).finally(() =>
      clearTimeout(timeout),
    );
    const entry = { key, verdict, abort: () => controller.abort() };
    last = entry;
    // "Not checked" is not kept: the next check of the same value asks again.
    void verdict.then((result) => {
      if (result.unchecked && last === entry) last = undefined;
    });
    return verdict;
  }

  async function evaluate(): Promise<Strength> {
    const mine = ++run;
    const local = lengthVerdict(password.value);
    if (local) {
      strength.value = local;
      checking.value = false;
      return local;
    }
    checking.value = true;
    // A length verdict no longer holds; any other stays shown until the new one comes.
    if (strength.value.level === 1) strength.value = EMPTY;
    try {
      const result = await verdictFor(password.value, context());
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
      const local = lengthVerdict(password.value);
      if (local) {
        run++;
        strength.value = local;
        checking.value = false;
        return;
      }
      if (strength.value.level === 1) strength.value = EMPTY;
      checking.value = true;
      timer = setTimeout(() => void evaluate(), CHECK_DELAY_MS);
    },
    { deep: true },
  );

  // The page is gone: no check left to start, none left to wait for.
  onScopeDispose(() => {
    clearTimeout(timer);
    last?.abort();
  });

  return {
    strength,
    checking,
    /** Kept for the pages' focus handlers: nothing needs fetching ahead any more. */
    preload: () => {},
    settle: (): Promise<Strength> => {
      clearTimeout(timer);
      return evaluate();
    },
  };
}
