import { createApp } from "vue";
import App from "./App.vue";
import { installTheme } from "./lib/theme";
import { captureUrlToken } from "./lib/url-token";
import { createAppRouter, installUnauthorizedRedirect, preloadPageOf } from "./router";
import { session } from "./stores/session";
import { sessionEnded } from "./stores/session-ended";
import "./styles/main.css";

// The theme first (public/theme.js set it before the first paint; this keeps it current).
installTheme();
// Then: an emailed link's one-time token leaves the address bar (kept in memory).
captureUrlToken();
const router = createAppRouter();
installUnauthorizedRedirect(router, session, sessionEnded);

// What the first page needs starts downloading now, side by side: the session probe and the
// page's own code (decision 028).
void session.ensureLoaded();
preloadPageOf(router, location.pathname);

// The app appears once its first page is ready (session known, code loaded, the "verify your
// email" banner decided): one render, so nothing on screen shifts or flips from signed out to
// signed in, and the long work of booting happens before the first paint, not under a
// finger. If that first page cannot open (its code did not download), the app still appears
// and asks for the page again, which the app's offline handling then reports and retries.
const app = createApp(App).use(router);
router.isReady().then(
  () => app.mount("#app"),
  () => {
    app.mount("#app");
    void router.replace(location.pathname + location.search + location.hash);
  },
);
