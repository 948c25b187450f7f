import { flushPromises, mount } from "@vue/test-utils";
import { defineComponent, h } from "vue";
import { createMemoryHistory, RouterView, type Router } from "vue-router";
import { createAppRouter, installUnauthorizedRedirect } from "../router";
import { session } from "../stores/session";

export const claims = {
  userId: "u1",
  sessionId: "s1",
  role: "user",
  issuedAt: "2030-01-01T00:00:00.000Z",
  expiresAt: "2030-01-01T00:10:00.000Z",
};

export const user = {
  id: "u1",
  email: "ada@example.com",
  name: "Ada",
  role: "user",
  createdAt: "2030-01-01T00:00:00.000Z",
  emailVerified: false,
};

/**
 * Mounts the app's real router (memory history) at `path` with the app-wide session store,
 * which first asks the (mocked) `GET /api/auth/session` whether it is signed in. `state`
 * navigates with history state (as a RouterLink with `state` does); `onRouter` sees the router
 * before the first navigation (to observe the route while requests are made).
 */
export async function mountPage(
  path: string,
  options: { state?: Record<string, string>; onRouter?: (router: Router) => void } = {},
) {
  const { state, onRouter } = options;
  session.markSignedOut();
  session.takeNotice();
  await session.refresh();
  const router = createAppRouter({ history: createMemoryHistory(), session });
  installUnauthorizedRedirect(router, session);
  onRouter?.(router);
  await router.push(state ? { path, state } : path);
  await router.isReady();
  const App = defineComponent({ render: () => h(RouterView) });
  const wrapper = mount(App, { global: { plugins: [router] }, attachTo: document.body });
  await flushPromises();
  return { wrapper, router };
}
