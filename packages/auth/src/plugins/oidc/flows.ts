import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, asc, eq, gt } from "drizzle-orm";
import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import type { AuthState } from "../../authenticator.js";
import type { KeyedLimit } from "../../abuse/abuse-limits.js";
import { isUniqueViolation, type Db, type Tx } from "../../db.js";
import { readCookie } from "../../http/cookie-header.js";
import { ProblemError } from "../../http/problem.js";
import { EMAIL_TAKEN_TYPE } from "../../second-factor/sign-in-steps.js";
import { findUserByEmail, hasPassword, lockUser, normalizeEmail } from "../../users/user-store.js";
import { lastSignInMethod } from "../../users/sign-in-methods.js";
import { emailAddress } from "../../users/email-address.js";
import type { PluginContext } from "../plugin.js";
import type { SecretBox } from "../two-factor/secret-box.js";
import {
  type ProviderClient,
  ProviderResponseError,
  ProviderUnavailableError,
  type FlowSecrets,
  type ProviderProfile,
} from "./client.js";
import type { ResolvedOidcOptions, ResolvedProvider } from "./options.js";
import {
  identityInUse,
  linkAccountMismatch,
  noPendingLink,
  noStepUp,
  noSuchIdentity,
  noSuchProvider,
  type CallbackError,
} from "./problems.js";
import type { FlowIntent, IdentityRow, OidcTables } from "./tables.js";

/** The flow cookie: the sealed secrets of this browser's trip to a provider. */
export const FLOW_COOKIE = "auth_oidc";
/** The pending-link cookie: a random token whose SHA-256 finds the held link. */
export const LINK_COOKIE = "auth_oidc_link";
/** How long a matched-email link waits for its owner to sign in and confirm. */
export const PENDING_LINK_SECONDS = 10 * 60;
/** The sign-in method a provider session records: `oidc:<provider id>`. */
export const methodOf = (providerId: string) => `oidc:${providerId}`;
/** The step-up method name of a provider: one for every provider. */
export const STEP_UP_METHOD = "oidc";

const sha256 = (value: string) => createHash("sha256").update(value).digest("base64url");
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const FLOW_AAD = "hybrid-auth oidc flow";

/** What the plugin's routes share; built once in `setup`. */
export type OidcDeps = {
  context: PluginContext;
  options: ResolvedOidcOptions;
  tables: OidcTables;
  clients: ReadonlyMap<string, ProviderClient>;
  /** Seals the flow cookie (keys derived from the auth secret for this purpose only). */
  flowBox: SecretBox;
  limits: { starts: KeyedLimit };
};

/** What the API shows of a connected account: never tokens. */
export type IdentityView = {
  id: string;
  provider: string;
  providerName: string;
  email: string | null;
  createdAt: string;
  lastUsedAt: string | null;
};

export function identityView(deps: OidcDeps, row: IdentityRow): IdentityView {
  return {
    id: row.id,
    provider: row.provider,
    providerName: deps.options.providers.get(row.provider)?.name ?? row.provider,
    email: row.email,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

function cookieName(deps: OidcDeps, name: string): string {
  return deps.options.secureCookies ? `__Host-${name}` : name;
}

function setPluginCookie(deps: OidcDeps, c: Context, name: string, value: string, maxAge: number) {
  const secure = deps.options.secureCookies;
  setCookie(c, name, value, {
    path: "/",
    secure,
    httpOnly: true,
    // Lax: the callback is a top-level navigation from the provider's site.
    sameSite: "Lax",
    maxAge,
    ...(secure ? { prefix: "host" as const } : {}),
  });
}

function readPluginCookie(deps: OidcDeps, c: Context, name: string): string | undefined {
  return readCookie(c.req.header("Cookie") ?? "", cookieName(deps, name));
}

function clientOf(deps: OidcDeps, providerId: string): ProviderClient {
  const client = deps.clients.get(providerId);
  if (!client) throw noSuchProvider();
  return client;
}

const unavailable = (provider: ResolvedProvider) =>
  new ProblemError({
    status: 503,
    title: "Provider unavailable",
    detail: `${provider.name} cannot be reached right now. Try again in a moment.`,
    headers: { "Retry-After": "30" },
  });

/**
 * Starts a trip to the provider: a flow row (single use, `flowSeconds`) and the sealed flow
 * cookie carrying state, nonce and PKCE verifier; answers the authorization URL.
 */
export async function startFlow(
  deps: OidcDeps,
  c: Context,
  providerId: string,
  intent: FlowIntent,
  auth: AuthState | null,
  returnTo: string | null = null,
): Promise<{ url: string }> {
  const client = clientOf(deps, providerId);
  // GitHub cannot be asked for a fresh login (no prompt=login, no auth_time): no step-up.
  if (intent === "reauthenticate" && client.provider.kind !== "oidc")
    throw noStepUp(client.provider);
  await deps.limits.starts.consume(deps.context.limiterClient(c));
  let authorization: Awaited<ReturnType<ProviderClient["authorize"]>>;
  try {
    authorization = await client.authorize({ reauthenticate: intent === "reauthenticate" });
  } catch (error) {
    if (error instanceof ProviderUnavailableError) {
      deps.options.onError(error);
      throw unavailable(client.provider);
    }
    throw error;
  }
  const { secrets } = authorization;
  const now = deps.context.clock.now();
  const id = randomUUID();
  await deps.context.db.insert(deps.tables.flows).values({
    id,
    stateHash: sha256(secrets.state),
    provider: providerId,
    intent,
    userId: auth?.userId ?? null,
    sessionId: auth?.sessionId ?? null,
    returnTo,
    createdAt: new Date(now),
    expiresAt: new Date(now + deps.options.flowSeconds * 1000),
  });
  const sealed = deps.flowBox.seal(
    JSON.stringify({ i: id, s: secrets.state, n: secrets.nonce ?? null, v: secrets.verifier }),
    FLOW_AAD,
  );
  setPluginCookie(deps, c, FLOW_COOKIE, sealed, deps.options.flowSeconds);
  return { url: authorization.url.href };
}

type OpenedFlow = { id: string; secrets: FlowSecrets };

function openFlowCookie(deps: OidcDeps, value: string | undefined): OpenedFlow | undefined {
  if (value === undefined || value.length > 2000) return undefined;
  const opened = deps.flowBox.open(value, FLOW_AAD);
  if (!opened) return undefined;
  try {
    const data = JSON.parse(opened.plaintext) as {
      i: string;
      s: string;
      n: string | null;
      v: string;
    };
    return { id: data.i, secrets: { state: data.s, nonce: data.n ?? undefined, verifier: data.v } };
  } catch {
    return undefined;
  }
}

/** A failed callback: where the browser goes, and which `oidc_error`. */
class CallbackFailure extends Error {
  constructor(readonly code: CallbackError) {
    super(code);
  }
}

function withQuery(path: string, query: Record<string, string>): string {
  const url = new URL(path, "http://app.invalid");
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  // Never another origin, whatever reached here (`//host` is one): the app's root instead.
  if (url.origin !== "http://app.invalid" || url.pathname.startsWith("//")) url.pathname = "/";
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * The provider's redirect back. Always answers a redirect into the SPA (303): the intent's
 * page on success, else the sign-in page (account page for a link or step-up) with
 * `oidc_error`. The flow cookie is cleared and the flow row deleted, whatever happens.
 */
export async function handleCallback(
  deps: OidcDeps,
  c: Context,
  providerId: string,
): Promise<Response> {
  const { redirects } = deps.options;
  let failurePage = redirects.signIn;
  const flowCookie = readPluginCookie(deps, c, FLOW_COOKIE);
  setPluginCookie(deps, c, FLOW_COOKIE, "", 0);
  try {
    const client = deps.clients.get(providerId);
    if (!client) throw new CallbackFailure("provider_error");
    const params = new URL(c.req.url).searchParams;
    const flow = openFlowCookie(deps, flowCookie);
    if (!flow) throw new CallbackFailure("expired");
    if (params.get("state") !== flow.secrets.state) throw new CallbackFailure("state_mismatch");
    // Single use: the row goes now, before the code is even looked at.
    const [row] = await deps.context.db
      .delete(deps.tables.flows)
      .where(
        and(
          eq(deps.tables.flows.id, flow.id),
          eq(deps.tables.flows.stateHash, sha256(flow.secrets.state)),
        ),
      )
      .returning();
    if (!row || row.expiresAt.getTime() <= deps.context.clock.now()) {
      throw new CallbackFailure("expired");
    }
    if (row.provider !== providerId) throw new CallbackFailure("state_mismatch");
    if (row.intent !== "sign-in") failurePage = redirects.account;
    let profile: ProviderProfile;
    try {
      profile = await client.exchange(params, flow.secrets, {
        reauthenticate: row.intent === "reauthenticate",
      });
    } catch (error) {
      if (error instanceof ProviderResponseError) {
        if (error.code !== "access_denied") deps.options.onError(error);
        throw new CallbackFailure(error.code);
      }
      if (error instanceof ProviderUnavailableError) {
        deps.options.onError(error);
        throw new CallbackFailure("provider_unavailable");
      }
      throw error;
    }
    const auth = c.get("auth") as AuthState | null | undefined;
    if (row.intent === "sign-in") {
      return c.redirect(await signInOrUp(deps, c, client.provider, profile), 303);
    }
    if (!auth || auth.userId !== row.userId || auth.sessionId !== row.sessionId) {
      throw new CallbackFailure("session_changed");
    }
    if (row.intent === "link") {
      await linkIdentity(deps, c, auth, client.provider, profile);
      return c.redirect(
        withQuery(redirects.account, { oidc: "linked", provider: providerId }),
        303,
      );
    }
    if (client.provider.kind !== "oidc") throw new CallbackFailure("provider_error");
    const identity = await findIdentity(deps, deps.context.db, profile);
    if (!identity || identity.userId !== auth.userId) throw new CallbackFailure("wrong_account");
    await deps.context.reauthenticated(c, STEP_UP_METHOD);
    return c.redirect(
      withQuery(row.returnTo ?? redirects.account, { oidc: "reauthenticated" }),
      303,
    );
  } catch (error) {
    const code =
      error instanceof CallbackFailure
        ? error.code
        : error instanceof ProblemError && error.status === 401
          ? "account_disabled"
          : (deps.options.onError(error), "provider_error");
    return c.redirect(withQuery(failurePage, { oidc_error: code, provider: providerId }), 303);
  }
}

async function findIdentity(
  deps: OidcDeps,
  db: Db | Tx,
  profile: Pick<ProviderProfile, "issuer" | "subject">,
): Promise<IdentityRow | undefined> {
  const t = deps.tables.identities;
  const [row] = await db
    .select()
    .from(t)
    .where(and(eq(t.issuer, profile.issuer), eq(t.subject, profile.subject)));
  return row;
}

/**
 * The address a connected account shows ("Connected as …"): only one the provider vouches for
 * and that passes the sign-up rules; anything else is not kept, so the account page never
 * shows an unverified or spoofed address.
 */
function shownEmail(profile: Pick<ProviderProfile, "email"> & { emailVerified?: boolean }) {
  if (!profile.email || profile.emailVerified === false) return null;
  const address = emailAddress.safeParse(profile.email);
  return address.success ? address.data : null;
}

/** The sealed tokens to keep (`keepTokens`), else nulls. */
function keptTokens(deps: OidcDeps, userId: string, profile: ProviderProfile) {
  const box = deps.options.tokenBox;
  if (!box) return { accessToken: null, refreshToken: null, tokenExpiresAt: null };
  return {
    accessToken: box.seal(profile.tokens.access, userId),
    refreshToken: profile.tokens.refresh ? box.seal(profile.tokens.refresh, userId) : null,
    tokenExpiresAt: profile.tokens.expiresAt ?? null,
  };
}

async function insertIdentity(
  deps: OidcDeps,
  tx: Tx,
  userId: string,
  provider: ResolvedProvider,
  profile: Pick<ProviderProfile, "issuer" | "subject" | "email"> & Partial<ProviderProfile>,
): Promise<IdentityRow> {
  const now = new Date(deps.context.clock.now());
  const [row] = await tx
    .insert(deps.tables.identities)
    .values({
      userId,
      provider: provider.id,
      issuer: profile.issuer,
      subject: profile.subject,
      email: shownEmail(profile),
      createdAt: now,
      lastUsedAt: profile.tokens ? now : null,
      ...(profile.tokens ? keptTokens(deps, userId, profile as ProviderProfile) : {}),
    })
    .returning();
  return row!;
}

/** `insertIdentity` in a savepoint: a unique violation (taken meanwhile) leaves `tx` usable. */
async function insertIdentityOnce(
  deps: OidcDeps,
  tx: Tx,
  userId: string,
  provider: ResolvedProvider,
  profile: Pick<ProviderProfile, "issuer" | "subject" | "email"> & Partial<ProviderProfile>,
): Promise<IdentityRow | undefined> {
  try {
    return await tx.transaction((inner) => insertIdentity(deps, inner, userId, provider, profile));
  } catch (error) {
    if (isUniqueViolation(error)) return undefined;
    throw error;
  }
}

function linkedEvent(
  deps: OidcDeps,
  c: Context,
  userId: string,
  sessionId: string | null,
  change: "identity_linked" | "identity_unlinked",
  provider: { id: string; name: string },
  tx: Tx,
) {
  return deps.context.emit(
    "accountChanged",
    {
      userId,
      change,
      sessionId,
      client: deps.context.clientInfo(c),
      detail: { provider: provider.id, name: provider.name },
    },
    tx,
  );
}

/**
 * The sign-in intent: a known identity signs its user in; an unknown one with a verified email
 * of no account creates the account (password-less, email verified); a verified email of an
 * existing account is held as a pending link until the owner signs in and confirms; anything
 * else (no email, unverified) is refused. Returns where the browser goes.
 */
async function signInOrUp(
  deps: OidcDeps,
  c: Context,
  provider: ResolvedProvider,
  profile: ProviderProfile,
): Promise<string> {
  const { context, options } = deps;
  const methods = [methodOf(provider.id)];
  const known = await findIdentity(deps, context.db, profile);
  if (known) {
    const now = new Date(context.clock.now());
    const email = shownEmail(profile);
    await context.db
      .update(deps.tables.identities)
      .set({
        lastUsedAt: now,
        ...(email ? { email } : {}),
        ...(options.tokenBox ? keptTokens(deps, known.userId, profile) : {}),
      })
      .where(eq(deps.tables.identities.id, known.id));
    // The provider's login time, not now: a login it remembered is no fresh authentication
    // here either (a step-up then asks the provider for a new one, prompt=login).
    await context.signInWith(c, known.userId, methods, { authTime: profile.authTime });
    return options.redirects.signedIn;
  }
  if (!profile.email || !profile.emailVerified) throw new CallbackFailure("email_unverified");
  // The same address rules as a sign-up: a provider's word that an address is verified does not
  // make "Kelvin-R@…" (U+212A, lower-cased to an ASCII k) or an over-long one an address here.
  const address = emailAddress.safeParse(profile.email);
  if (!address.success) throw new CallbackFailure("email_invalid");
  const email = normalizeEmail(address.data);
  const existing = await findUserByEmail(context.db, context.tables, email);
  if (existing) return holdPendingLink(deps, c, existing.id, provider, { ...profile, email });
  try {
    const { sessionStarted } = await context.signUpWith(
      c,
      { email, name: profile.name?.trim().slice(0, 100) || null, emailVerified: true },
      methods,
      async (tx, user) => {
        const row = await insertIdentityOnce(deps, tx, user.id, provider, profile);
        if (!row) throw new CallbackFailure("identity_in_use");
      },
      { authTime: profile.authTime },
    );
    if (!sessionStarted) return options.redirects.signIn;
    return options.redirects.signedIn;
  } catch (error) {
    // Someone registered this email between the lookup and the insert: the same rule applies.
    if (error instanceof ProblemError && error.problem.type === EMAIL_TAKEN_TYPE) {
      const owner = await findUserByEmail(context.db, context.tables, email);
      if (owner) return holdPendingLink(deps, c, owner.id, provider, { ...profile, email });
    }
    throw error;
  }
}

async function holdPendingLink(
  deps: OidcDeps,
  c: Context,
  userId: string,
  provider: ResolvedProvider,
  profile: ProviderProfile & { email: string },
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const now = deps.context.clock.now();
  const t = deps.tables.pendingLinks;
  // One pending link per browser: a previous one of this browser is replaced.
  const previous = readPluginCookie(deps, c, LINK_COOKIE);
  if (previous !== undefined && TOKEN.test(previous)) {
    await deps.context.db.delete(t).where(eq(t.tokenHash, sha256(previous)));
  }
  await deps.context.db.insert(t).values({
    tokenHash: sha256(token),
    userId,
    provider: provider.id,
    issuer: profile.issuer,
    subject: profile.subject,
    email: profile.email,
    createdAt: new Date(now),
    expiresAt: new Date(now + PENDING_LINK_SECONDS * 1000),
  });
  setPluginCookie(deps, c, LINK_COOKIE, token, PENDING_LINK_SECONDS);
  return withQuery(deps.options.redirects.signIn, { oidc_link: provider.id });
}

/** The link intent: the signed-in user connects this provider account. */
async function linkIdentity(
  deps: OidcDeps,
  c: Context,
  auth: AuthState,
  provider: ResolvedProvider,
  profile: ProviderProfile,
): Promise<void> {
  const known = await findIdentity(deps, deps.context.db, profile);
  if (known)
    throw new CallbackFailure(known.userId === auth.userId ? "already_linked" : "identity_in_use");
  await deps.context.db.transaction(async (tx) => {
    const row = await insertIdentityOnce(deps, tx, auth.userId, provider, profile);
    if (!row) throw new CallbackFailure("already_linked");
    await linkedEvent(deps, c, auth.userId, auth.sessionId, "identity_linked", provider, tx);
  });
}

/** This browser's pending link, unexpired; `undefined` when none. */
export async function pendingLinkOf(deps: OidcDeps, c: Context) {
  const token = readPluginCookie(deps, c, LINK_COOKIE);
  if (token === undefined || !TOKEN.test(token)) return undefined;
  const t = deps.tables.pendingLinks;
  const [row] = await deps.context.db
    .select()
    .from(t)
    .where(
      and(eq(t.tokenHash, sha256(token)), gt(t.expiresAt, new Date(deps.context.clock.now()))),
    );
  return row;
}

/** What the SPA shows of the link waiting in this browser. */
export async function pendingLinkView(deps: OidcDeps, c: Context) {
  const row = await pendingLinkOf(deps, c);
  if (!row) return null;
  return {
    provider: row.provider,
    providerName: deps.options.providers.get(row.provider)?.name ?? row.provider,
    email: row.email,
  };
}

/**
 * Confirms the link waiting in this browser for the signed-in user (the account whose email
 * matched, and no other): the pending row is used up and the identity created, in one
 * transaction.
 */
export async function confirmPendingLink(
  deps: OidcDeps,
  c: Context,
  auth: AuthState,
): Promise<IdentityView> {
  const pending = await pendingLinkOf(deps, c);
  if (!pending) throw noPendingLink();
  if (pending.userId !== auth.userId) throw linkAccountMismatch();
  const provider = deps.options.providers.get(pending.provider);
  if (!provider) throw noPendingLink();
  const t = deps.tables.pendingLinks;
  const row = await deps.context.db.transaction(async (tx) => {
    const [taken] = await tx.delete(t).where(eq(t.id, pending.id)).returning({ id: t.id });
    if (!taken) throw noPendingLink();
    const created = await insertIdentityOnce(deps, tx, auth.userId, provider, pending);
    if (!created) throw identityInUse();
    await linkedEvent(deps, c, auth.userId, auth.sessionId, "identity_linked", provider, tx);
    return created;
  });
  setPluginCookie(deps, c, LINK_COOKIE, "", 0);
  return identityView(deps, row);
}

/** Drops the link waiting in this browser, if any. */
export async function cancelPendingLink(deps: OidcDeps, c: Context): Promise<void> {
  const token = readPluginCookie(deps, c, LINK_COOKIE);
  if (token !== undefined && TOKEN.test(token)) {
    await deps.context.db
      .delete(deps.tables.pendingLinks)
      .where(eq(deps.tables.pendingLinks.tokenHash, sha256(token)));
  }
  setPluginCookie(deps, c, LINK_COOKIE, "", 0);
}

export async function identitiesOf(
  deps: OidcDeps,
  db: Db | Tx,
  userId: string,
): Promise<IdentityRow[]> {
  const t = deps.tables.identities;
  return db.select().from(t).where(eq(t.userId, userId)).orderBy(asc(t.createdAt), asc(t.id));
}

/**
 * Disconnects one of the user's provider accounts, unless it is the last way to sign in (no
 * password, no passkey, no other provider): 409 then. The user row is locked so that two
 * removals racing cannot both pass the check.
 */
export async function unlinkIdentity(
  deps: OidcDeps,
  c: Context,
  auth: AuthState,
  id: string,
): Promise<void> {
  const { context } = deps;
  const t = deps.tables.identities;
  await context.db.transaction(async (tx) => {
    // The user's row first: a passkey removal or another unlink waits, then counts after this.
    const user = await lockUser(tx, context.tables, auth.userId);
    const [row] = await tx
      .delete(t)
      .where(and(eq(t.id, id), eq(t.userId, auth.userId)))
      .returning();
    if (!user || !row) throw noSuchIdentity();
    // Every way left (a password, passkeys, configured providers): none rolls the removal back.
    if ((await context.signInMethodsLeft(tx, auth.userId)) === 0) throw lastSignInMethod();
    const provider = {
      id: row.provider,
      name: deps.options.providers.get(row.provider)?.name ?? row.provider,
    };
    await linkedEvent(deps, c, auth.userId, auth.sessionId, "identity_unlinked", provider, tx);
  });
}

/** Whether the account has a password of its own (the account page offers to set one if not). */
export async function passwordSet(deps: OidcDeps, userId: string): Promise<boolean> {
  const users = deps.context.tables.users;
  const [row] = await deps.context.db
    .select({ passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.id, userId));
  return row ? hasPassword(row) : false;
}
