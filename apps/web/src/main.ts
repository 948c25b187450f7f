import { createApp } from "vue";
import App from "./App.vue";
import { createAppRouter, installUnauthorizedRedirect } from "./router";
import { session } from "./stores/session";
import "./styles/main.css";

const router = createAppRouter();
installUnauthorizedRedirect(router, session);

createApp(App).use(router).mount("#app");
