import type { Db, Tx } from "../db.js";

/** Who made a request: its address (see `getClientIp`) and its `User-Agent`. */
export type ClientInfo = { ip: string | undefined; userAgent: string | undefined };

/** Why sessions were revoked. */
export type SessionRevocationReason =
  /** `POST /logout`: this device signed out. */
  | "signed_out"
  /** `DELETE /sessions/:id`: one device signed out from another. */
  | "session_revoked"
  | "signed_out_others"
  | "signed_out_everywhere"
  /** A rotated-out session token came back after its grace window: the session was stolen. */
  | "token_reuse_detected"
  /** A password change signs every other device out. */
  | "password_changed"
  /** A new sign-in in a browser that still held a session replaces it. */
  | "replaced_by_sign_in"
  | "user_disabled"
  /** A password reset through an emailed link signs every device out. */
  | "password_reset"
  /** The owner deleted the account. */
  | "account_deleted"
  /** An administrator signed the user out everywhere. */
  | "admin_signed_out"
  /** An administrator signed out one of the user's devices. */
  | "admin_revoked_session";

/**
 * Changes to an account that plugins make and others may record (the security-events plugin
 * lists them in the owner's activity).
 */
export type AccountChange =
  | "email_verified"
  | "password_reset_requested"
  | "password_reset"
  | "email_change_requested"
  | "email_changed"
  | "profile_updated"
  /** A signed-in user gave a wrong password to re-authenticate (the core emits it). */
  | "password_check_failed"
  /**
   * The right password was given for an account with a second factor; the session waits for
   * it (the core emits it: the owner sees a known password even when the second step never
   * comes).
   */
  | "second_factor_requested"
  /** A second factor was enrolled (`detail.method`: "totp"…). */
  | "second_factor_enabled"
  | "second_factor_disabled"
  | "recovery_codes_regenerated"
  /** A recovery code replaced the second factor at a sign-in. */
  | "recovery_code_used"
  /** `detail.name`: the passkey's name. */
  | "passkey_added"
  | "passkey_removed"
  /** A wrong second-factor code or a refused passkey (`detail.method`). */
  | "second_factor_failed"
  /** A step-up: the user proved who they are again (`detail.method`). */
  | "reauthenticated"
  | "reauthentication_failed"
  /** An external identity (an OpenID provider's account) can now sign in (`detail.provider`). */
  | "identity_linked"
  | "identity_unlinked"
  /** An API key was created (`detail.name`, `detail.prefix`, `detail.scopes`). */
  | "api_key_created"
  /** An API key was revoked (`detail.name`, `detail.prefix`). */
  | "api_key_revoked";

/**
 * Who made an administrative change (`auth.admin`, an admin console, a command line):
 * `userId` is the administrator's account, null for the application itself or a CLI;
 * `description` is what an audit shows of them (their email, "pnpm auth:set-role").
 */
export type AdminActor = {
  userId: string | null;
  description: string;
  client: ClientInfo | null;
  /**
   * The role the administrator acts with, when a person does: rails compare it with the
   * target's (an administrator cannot grant a role they do not hold).
   */
  role?: string;
};

/** What each lifecycle hook is told. */
export type AuthHookEvents = {
  /** `sessionId` is null when a plugin's `sessionGate` kept the new account signed out. */
  signedUp: { userId: string; sessionId: string | null; client: ClientInfo };
  /**
   * `newDevice`: the browser holds no device cookie for this account (it never signed in to
   * it before, or its cookies were cleared).
   */
  signedIn: {
    userId: string;
    sessionId: string;
    client: ClientInfo;
    newDevice: boolean;
    /** How the user proved who they are: `["password"]`, `["password", "totp"]`, `["passkey"]`. */
    methods: readonly string[];
  };
  /** `userId` is `null` for an email without an account. */
  signInFailed: {
    userId: string | null;
    reason: "invalid_credentials" | "throttled";
    client: ClientInfo;
  };
  /**
   * `sessionIds` are the sessions this change revoked (none when there was nothing left to
   * revoke); `actorSessionId` is the session that asked for it, when a user did.
   */
  sessionsRevoked: {
    userId: string;
    sessionIds: readonly string[];
    reason: SessionRevocationReason;
    actorSessionId: string | null;
    client: ClientInfo | null;
    /** Set when an administrator did it (reasons `admin_signed_out`, `admin_revoked_session`). */
    admin?: AdminActor;
  };
  passwordChanged: { userId: string; sessionId: string; client: ClientInfo };
  /**
   * An administrative change of a user (`auth.admin`), after the row changed: `before` is
   * what the row said until then; `actor` who asked.
   */
  userUpdated: {
    userId: string;
    change: { role: string } | { disabled: boolean };
    before: { role: string; disabled: boolean };
    actor: AdminActor;
  };
  /**
   * Before the row is deleted, so hooks can still read it; `actor` is set when an
   * administrator deleted it (not for an owner deleting their own account).
   */
  userDeleted: { userId: string; actor?: AdminActor };
  /** Emitted by plugins (see `PluginContext.emit`); `sessionId` is the acting session, if any. */
  accountChanged: {
    userId: string;
    change: AccountChange;
    sessionId: string | null;
    client: ClientInfo | null;
    /** What the owner may want to know of it: `{ method: "totp" }`, `{ name: "YubiKey" }`. */
    detail?: Readonly<Record<string, string>>;
  };
};

export type AuthHookName = keyof AuthHookEvents;

/**
 * Lifecycle hooks. Each runs **inside the transaction** of the change it reports (a failed
 * sign-in, which changes nothing, passes the database itself), after that change and before
 * its commit: what a hook writes commits or rolls back with it, and a hook that throws undoes
 * the change — except `sessionsRevoked`: a revocation always commits, and a failing
 * `sessionsRevoked` hook is rolled back alone and reported to `onHookError` (the other
 * `sessionsRevoked` hooks are then run again, so they must only write to the database). Keep
 * hooks to database writes; queue anything slow (mail, webhooks) in a table.
 *
 * @example
 * const hooks: AuthHooks = {
 *   async signedUp({ userId }, tx) {
 *     await tx.insert(welcomeMails).values({ userId });
 *   },
 * };
 */
export type AuthHooks = {
  [Name in AuthHookName]?: (event: AuthHookEvents[Name], tx: Db | Tx) => Promise<void> | void;
};

/** Told of a `sessionsRevoked` hook that failed (the revocation committed regardless). */
export type HookErrorHandler = (error: unknown, hook: AuthHookName) => void;

const logHookError: HookErrorHandler = (error, hook) =>
  console.error(`auth: a ${hook} hook failed; the revocation stands`, error);

/**
 * Hooks that must never stand in the way of the change: a sign-out is a security action, so a
 * failing `sessionsRevoked` hook is rolled back to a savepoint and reported, and the
 * revocation commits. The other hooks' writes are kept (they run again, each in its own
 * savepoint, after the failure).
 */
const NEVER_BLOCKING: ReadonlySet<AuthHookName> = new Set(["sessionsRevoked"]);

/** Calls every plugin's hook for an event, in plugin order. */
export class HookRunner {
  readonly #byName = new Map<AuthHookName, ((event: never, tx: Db | Tx) => unknown)[]>();

  constructor(
    hookSets: readonly AuthHooks[],
    private readonly onError: HookErrorHandler = logHookError,
  ) {
    for (const hooks of hookSets) {
      for (const [name, hook] of Object.entries(hooks) as [AuthHookName, never][]) {
        if (typeof hook !== "function") continue;
        const list = this.#byName.get(name) ?? [];
        list.push(hook);
        this.#byName.set(name, list);
      }
    }
  }

  async emit<Name extends AuthHookName>(
    name: Name,
    event: AuthHookEvents[Name],
    tx: Db | Tx,
  ): Promise<void> {
    const hooks = this.#byName.get(name);
    if (!hooks) return;
    if (NEVER_BLOCKING.has(name)) return this.#emitNeverBlocking(name, hooks, event, tx);
    for (const hook of hooks) await hook(event as never, tx);
  }

  /**
   * All the hooks in one savepoint: each round trip of a sign-out counts in a burst of them,
   * and hooks that write nothing would still pay for a savepoint of their own. Only when one
   * fails is that savepoint rolled back and each hook run again in a savepoint of its own, so
   * that the failing one is rolled back alone and reported once (hooks write to the database
   * only, so running one again after a rollback is safe).
   */
  async #emitNeverBlocking(
    name: AuthHookName,
    hooks: readonly ((event: never, tx: Db | Tx) => unknown)[],
    event: unknown,
    tx: Db | Tx,
  ): Promise<void> {
    try {
      await tx.transaction(async (savepoint) => {
        for (const hook of hooks) await hook(event as never, savepoint);
      });
      return;
    } catch {
      // One of them failed: find out which, below.
    }
    for (const hook of hooks) {
      try {
        await tx.transaction(async (savepoint) => void (await hook(event as never, savepoint)));
      } catch (error) {
        this.onError(error, name);
      }
    }
  }
}
