import { createApp } from "vue";
import App from "./App.vue";
import { installTheme } from "./lib/theme";
import { captureUrlToken } from "./lib/url-token";
import { createAppRouter, installUnauthorizedRedirect } from "./router";
import { session } from "./stores/session";
import { sessionEnded } from "./stores/session-ended";
import "./styles/main.css";

// The theme first (public/theme.js set it before the first paint; this keeps it current).
installTheme();
// Then: an emailed link's one-time token leaves the address bar (kept in memory).
captureUrlToken();
const router = createAppRouter();
installUnauthorizedRedirect(router, session, sessionEnded);

createApp(App).use(router).mount("#app");
