import { createApp } from "vue";
import App from "./App.vue";
import { captureUrlToken } from "./lib/url-token";
import { createAppRouter, installUnauthorizedRedirect } from "./router";
import { session } from "./stores/session";
import "./styles/main.css";

// First of all: an emailed link's one-time token leaves the address bar (kept in memory).
captureUrlToken();
const router = createAppRouter();
installUnauthorizedRedirect(router, session);

createApp(App).use(router).mount("#app");
