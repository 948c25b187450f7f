import {
  createRouter,
  createWebHistory,
  START_LOCATION,
  type RouteRecordRaw,
  type Router,
  type RouterHistory,
} from "vue-router";
import { setSessionEndedHandler, setUnauthorizedHandler, type SessionEnded } from "./api/client";
import { sessionEndedMessage } from "./lib/session-ended-reason";
import type { SessionEndedStore } from "./stores/session-ended";
import { safeReturnTo } from "./lib/return-to";
import { holdUrlToken } from "./lib/url-token";
import { emailVerifiedOf, session as defaultSession, type SessionStore } from "./stores/session";
import { loadVerifyEmailBanner } from "./lib/verify-email-banner";
import { permissions as defaultPermissions, type PermissionsStore } from "./stores/permissions";
import type { Permission } from "./api/permissions";
import LandingPage from "./pages/LandingPage.vue";
import { ROUTE_PATHS } from "./route-paths";
import { prefetchFirstTodoPage } from "./api/first-todo-page";

declare module "vue-router" {
  interface RouteMeta {
    /** Reachable signed out; a 401 seen here never redirects (no loops). */
    public?: boolean;
    /** Signed-in users are sent on to their to-dos (or `?returnTo=`). */
    guestOnly?: boolean;
    requiresAuth?: boolean;
    /** The page of an emailed link: its `?token=` is moved into memory, out of the URL. */
    carriesToken?: boolean;
    /**
     * Only for viewers holding this permission (with `requiresAuth`); anyone else gets the
     * not-found page at the same address, as if there were nothing here.
     */
    permission?: Permission;
    title?: string;
    /** Starts loading the page's data once the visitor is known to be allowed in. */
    prefetch?: () => void;
  }
}

export const SESSION_ENDED = "Your session ended. Please sign in again.";

export const routes: RouteRecordRaw[] = [
  {
    path: ROUTE_PATHS.landing,
    name: "landing",
    component: LandingPage,
    meta: { public: true, guestOnly: true },
  },
  {
    path: ROUTE_PATHS["sign-in"],
    name: "sign-in",
    component: () => import("./pages/SignInPage.vue"),
    meta: { public: true, guestOnly: true, title: "Sign in" },
  },
  {
    path: ROUTE_PATHS["sign-up"],
    name: "sign-up",
    component: () => import("./pages/SignUpPage.vue"),
    meta: { public: true, guestOnly: true, title: "Create your account" },
  },
  {
    path: ROUTE_PATHS["forgot-password"],
    name: "forgot-password",
    component: () => import("./pages/ForgotPasswordPage.vue"),
    meta: { public: true, title: "Reset your password" },
  },
  {
    path: ROUTE_PATHS["reset-password"],
    name: "reset-password",
    component: () => import("./pages/ResetPasswordPage.vue"),
    meta: { public: true, carriesToken: true, title: "Choose a new password" },
  },
  {
    path: ROUTE_PATHS["verify-email"],
    name: "verify-email",
    component: () => import("./pages/VerifyEmailPage.vue"),
    meta: { public: true, carriesToken: true, title: "Verify your email" },
  },
  {
    path: ROUTE_PATHS["confirm-email"],
    name: "confirm-email",
    component: () => import("./pages/ConfirmEmailPage.vue"),
    meta: { public: true, carriesToken: true, title: "Confirm your new email" },
  },
  {
    path: ROUTE_PATHS.todos,
    name: "todos",
    component: () => import("./pages/TodosPage.vue"),
    meta: { requiresAuth: true, title: "To-dos", prefetch: prefetchFirstTodoPage },
  },
  {
    path: ROUTE_PATHS.devices,
    name: "devices",
    component: () => import("./pages/DevicesPage.vue"),
    meta: { requiresAuth: true, title: "Your devices" },
  },
  {
    path: ROUTE_PATHS.account,
    name: "account",
    component: () => import("./pages/AccountPage.vue"),
    meta: { requiresAuth: true, title: "Account" },
  },
  {
    path: ROUTE_PATHS["api-keys"],
    name: "api-keys",
    component: () => import("./pages/ApiKeysPage.vue"),
    meta: { requiresAuth: true, title: "API keys" },
  },
  // The admin area: its own lazy chunks, never downloaded by viewers who cannot open it.
  {
    path: ROUTE_PATHS.admin,
    name: "admin",
    component: () => import("./pages/AdminUsersPage.vue"),
    meta: { requiresAuth: true, permission: "users:read", title: "Users · Admin" },
  },
  {
    path: ROUTE_PATHS["admin-user"],
    name: "admin-user",
    component: () => import("./pages/AdminUserPage.vue"),
    meta: { requiresAuth: true, permission: "users:read", title: "User · Admin" },
  },
  {
    path: "/:pathMatch(.*)*",
    name: "not-found",
    component: () => import("./pages/NotFoundPage.vue"),
    meta: { public: true, title: "Page not found" },
  },
];

export function createAppRouter(
  options: { history?: RouterHistory; session?: SessionStore; permissions?: PermissionsStore } = {},
): Router {
  const store = options.session ?? defaultSession;
  const viewer = options.permissions ?? defaultPermissions;
  const router = createRouter({
    history: options.history ?? createWebHistory(),
    routes,
    // The first page opens at the top already: no scroll (it would force a layout at boot).
    scrollBehavior: (_to, from, saved) => saved ?? (from === START_LOCATION ? false : { top: 0 }),
  });

  router.beforeEach(async (to) => {
    // An emailed link's token leaves the URL before anything else (main.ts already did this
    // for the page the browser opened; this covers in-app navigations).
    if (to.meta.carriesToken && "token" in to.query) {
      const { token, ...query } = to.query;
      const value = Array.isArray(token) ? token[0] : token;
      if (typeof value === "string" && value) holdUrlToken(to.path, value);
      return { path: to.path, query, hash: to.hash, replace: true };
    }
    await store.ensureLoaded();
    if (to.meta.requiresAuth && !store.signedIn) {
      return { name: "sign-in", query: { returnTo: to.fullPath } };
    }
    if (to.meta.requiresAuth) {
      to.meta.prefetch?.();
      // Whether the "verify your email" banner shows is known before the page shows: the
      // banner must not arrive later and push the page down.
      const user = await store.ensureUser().catch(() => null);
      if (emailVerifiedOf(user) === false) await loadVerifyEmailBanner();
    }
    if (to.meta.guestOnly && store.signedIn) {
      return to.name === "sign-in" ? safeReturnTo(to.query.returnTo) : "/todos";
    }
    if (to.meta.permission) {
      await viewer.ensureLoaded();
      if (!viewer.can(to.meta.permission)) {
        // The not-found page, keeping the address (the server refuses these requests anyway).
        return {
          name: "not-found",
          params: { pathMatch: to.path.replace(/^\//, "").split("/") },
          query: to.query,
          hash: to.hash,
        };
      }
    }
    return true;
  });

  router.afterEach((to) => {
    if (typeof document !== "undefined") {
      document.title = to.meta.title
        ? `${to.meta.title} · Tidy`
        : "Tidy — to-dos you can sign out of everywhere";
    }
  });

  return router;
}

/**
 * Starts downloading the code of the page at `path` (a lazy route's chunk, its CSS and
 * imports) without waiting for it; the navigation that follows finds it loaded or on its way.
 * A chunk that fails to load here fails again, and is reported, when the navigation asks.
 * A page behind a permission (the admin area) is left alone: its code is downloaded only by
 * viewers the router lets in.
 *
 * @example
 * preloadPageOf(router, location.pathname); // before mounting: in parallel with the probe
 */
export function preloadPageOf(router: Router, path: string): void {
  for (const record of router.resolve(path).matched) {
    if (record.meta.permission) continue;
    const component: unknown = record.components?.default;
    if (typeof component === "function") {
      void Promise.resolve((component as () => unknown)()).catch(() => {});
    }
  }
}

/**
 * Any 401 from the API (other than the requests where 401 is the answer) means the session is
 * gone: forget it and send the user to sign in, coming back here afterwards, told why the
 * session ended and with the email pre-filled. Never from a public page (that is where the user
 * already is), and only once for a burst of 401s.
 */
export function installUnauthorizedRedirect(
  router: Router,
  store: SessionStore = defaultSession,
  ended: SessionEndedStore | null = null,
) {
  let redirecting = false;
  const handler = ({ reason }: SessionEnded = { reason: null }) => {
    const current = router.currentRoute.value;
    if (redirecting || current.meta.public || current.name === undefined) {
      store.markSignedOut();
      return;
    }
    redirecting = true;
    ended?.remember(reason, store.state.user?.email ?? null);
    store.markSignedOut(`${sessionEndedMessage(reason)} Please sign in again.`);
    void router.replace({ name: "sign-in", query: { returnTo: current.fullPath } }).finally(() => {
      redirecting = false;
    });
  };
  setUnauthorizedHandler(handler);
  // Signed-in pages: the user signs in again in place, and what they were doing goes through.
  setSessionEndedHandler(
    ended
      ? (info, request) =>
          router.currentRoute.value.meta.public
            ? Promise.resolve("give-up")
            : ended.handle(info, request)
      : null,
  );
  return handler;
}
