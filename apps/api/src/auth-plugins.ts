import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asc, eq } from "drizzle-orm";
import {
  accessControl,
  accountLifecycle,
  apiKeys,
  DEFAULT_ROLES,
  fileMailer,
  githubProvider,
  googleProvider,
  microsoftProvider,
  oidc,
  oidcProvider,
  passkeys,
  securityEvents,
  smtpMailer,
  twoFactor,
  type Db,
  type Mailer,
  type OidcProviderConfig,
  type RetentionOptions,
  type Tx,
} from "@hybrid-auth/auth";
import type {
  Config,
  MailConfig,
  OidcConfig,
  OidcProviderSetting,
  RetentionConfig,
} from "./config.js";
import { todos } from "./todos/schema.js";
import { TODO_API_KEY_SCOPES } from "./todos/routes.js";

/** The app's roles: user, manager (read users, sign them out), admin (everything). */
export const APP_ROLES = DEFAULT_ROLES;

/** What the auth plugins of the app are configured with (none of it changes a table). */
export type AppPluginSettings = {
  /** Second-factor secrets' keys (AUTH_ENCRYPTION_KEYS). */
  encryptionKeys?: readonly string[] | undefined;
  /** Passkeys' relying party; `null`: passkeys are off (an app served on an IP address). */
  webauthn?: Config["webauthn"] | undefined;
  retention?: RetentionConfig | undefined;
  mail?: MailConfig | undefined;
  /** Sign-in providers (OIDC_PROVIDERS); none → the plugin offers no button. */
  oidc?: OidcConfig | undefined;
  /** Requests to the providers go through it (tests). */
  oidcFetch?: typeof fetch | undefined;
  /** Replaces the mailer `mail.transport` describes (tests hand in a real SMTP server's). */
  mailer?: Mailer | undefined;
  log?: ((line: string) => void) | undefined;
  /** A message the mail worker gave up on (default: console.error). */
  logError?: ((error: unknown) => void) | undefined;
};

/** Without a mail configuration (migrating, tests that send none): files in a temp folder. */
const UNCONFIGURED_MAIL: MailConfig = {
  transport: { kind: "files", directory: join(tmpdir(), "hybrid-auth-unsent-mail") },
  from: "Tidy <no-reply@localhost>",
  publicUrl: "http://localhost:3000",
  newSignInAlerts: true,
  requestsPerClient: 20,
};

/**
 * Without configuration (migrating, the set-role command): a throwaway key, since nothing is
 * encrypted or decrypted there; the server always passes the configured keys.
 */
const UNCONFIGURED_ENCRYPTION_KEYS = [randomBytes(32).toString("base64")];
const UNCONFIGURED_WEBAUTHN: Config["webauthn"] = {
  rpId: "localhost",
  rpName: "Tidy",
  origins: ["http://localhost:3000"],
};

/** One `OIDC_<ID>_…` provider as the auth package's preset for its type. */
export function oidcProviderFrom(
  setting: OidcProviderSetting,
  customFetch?: typeof globalThis.fetch,
): OidcProviderConfig {
  const common = {
    id: setting.id,
    clientId: setting.clientId,
    clientSecret: setting.clientSecret,
    redirectUri: setting.redirectUri,
    ...(setting.name ? { name: setting.name } : {}),
    ...(setting.scopes ? { scopes: setting.scopes } : {}),
    ...(customFetch ? { fetch: customFetch } : {}),
  };
  switch (setting.type) {
    case "google":
      return googleProvider(common);
    case "github":
      return githubProvider(common);
    case "microsoft":
      return microsoftProvider({ ...common, tenant: setting.tenant ?? "" });
    default:
      return oidcProvider({
        ...common,
        name: setting.name ?? setting.id,
        issuer: setting.issuer ?? "",
      });
  }
}

function mailerFor(mail: MailConfig, log: (line: string) => void): Mailer {
  return mail.transport.kind === "smtp"
    ? smtpMailer(mail.transport.url)
    : fileMailer(mail.transport.directory, { log });
}

/** The user's to-dos in their data export (`GET /api/auth/me/export`). */
async function exportTodos(db: Db | Tx, userId: string) {
  return db
    .select({
      id: todos.id,
      title: todos.title,
      completed: todos.completed,
      createdAt: todos.createdAt,
      updatedAt: todos.updatedAt,
    })
    .from(todos)
    .where(eq(todos.userId, userId))
    .orderBy(asc(todos.createdAt), asc(todos.id));
}

/**
 * The auth plugins of the to-do app: the same list for migrating and for serving (their
 * settings change no table, so migrating needs none).
 */
export function appAuthPlugins(settings: AppPluginSettings = {}) {
  const { retention } = settings;
  const mail = settings.mail ?? UNCONFIGURED_MAIL;
  const webauthn = settings.webauthn === undefined ? UNCONFIGURED_WEBAUTHN : settings.webauthn;
  const log = settings.log ?? ((line: string) => console.log(line));
  return [
    securityEvents(
      retention
        ? {
            retentionDays: retention.securityEventsDays,
            maxEventsPerAccount: retention.securityEventsPerAccount,
          }
        : {},
    ),
    accountLifecycle({
      mailer: settings.mailer ?? mailerFor(mail, log),
      from: mail.from,
      publicUrl: mail.publicUrl,
      productName: "Tidy",
      newSignInAlerts: mail.newSignInAlerts,
      limits: { mailRequestsPerClient: { points: mail.requestsPerClient, seconds: 15 * 60 } },
      exportData: { todos: exportTodos },
      ...(settings.logError ? { onDeliveryError: settings.logError } : {}),
    }),
    accessControl({ roles: APP_ROLES }),
    twoFactor({
      encryptionKeys: settings.encryptionKeys ?? UNCONFIGURED_ENCRYPTION_KEYS,
      issuer: "Tidy",
    }),
    // Migrating always includes it (its tables exist either way); serving may turn it off.
    ...(webauthn === null ? [] : [passkeys(webauthn)]),
    // Always there (its tables, `GET /api/auth/oidc/providers`); no provider → no button.
    oidc({
      // The SPA's pages: after a sign-in the to-dos; errors and held links on the sign-in page.
      redirects: { signedIn: "/todos", signIn: "/sign-in", account: "/account" },
      providers: (settings.oidc?.providers ?? []).map((p) =>
        oidcProviderFrom(p, settings.oidcFetch),
      ),
      ...(settings.oidc?.keepTokens
        ? {
            keepTokens: true,
            encryptionKeys: settings.encryptionKeys ?? UNCONFIGURED_ENCRYPTION_KEYS,
          }
        : {}),
      ...(settings.logError ? { onError: settings.logError } : {}),
    }),
    // Keys for scripts: the to-dos' scopes (issue 18).
    apiKeys({ scopes: TODO_API_KEY_SCOPES }),
  ] as const;
}

export const APP_AUTH_PLUGINS = appAuthPlugins();

/**
 * The retention job's options for `createAuth`. The app never starts it itself: the server
 * (`index.ts`) does, so tests and scripts that build the app run no timer.
 */
export function appRetentionOptions(
  retention: RetentionConfig | undefined,
  logError: ((error: unknown) => void) | undefined,
): RetentionOptions {
  return {
    autoStart: false,
    ...(retention ? { batchSize: retention.batchSize } : {}),
    ...(retention && retention.intervalSeconds > 0
      ? { intervalSeconds: retention.intervalSeconds }
      : {}),
    ...(logError ? { onError: (error: unknown) => logError(error) } : {}),
  };
}
