import { reactive, readonly, watch } from "vue";
import { fetchPermissions, type Permission } from "../api/permissions";
import { session as defaultSession, type SessionStore } from "./session";

/**
 * What the signed-in viewer may do, learnt once per signed-in page load from
 * `GET /api/auth/permissions` and forgotten when the session ends (sign-out, an ended
 * session, another account signing in after it). The SPA only uses it to decide what to
 * show; the server checks every admin request itself.
 */
export function createPermissionsStore(sessionStore: SessionStore = defaultSession) {
  const state = reactive({
    loaded: false,
    role: null as string | null,
    permissions: [] as Permission[],
    assignableRoles: [] as string[],
  });
  let load: Promise<void> | null = null;
  // Bumped whenever the answer may no longer be this viewer's: a late answer is then dropped.
  let generation = 0;

  function clear(): void {
    generation += 1;
    load = null;
    state.loaded = false;
    state.role = null;
    state.permissions = [];
    state.assignableRoles = [];
  }

  async function fetchNow(): Promise<void> {
    const mine = generation;
    try {
      const answer = await fetchPermissions();
      if (mine !== generation) return;
      state.role = answer.role;
      state.permissions = answer.permissions;
      state.assignableRoles = answer.assignableRoles;
      state.loaded = true;
    } catch {
      // Unknown (server unreachable, or the session just ended): show nothing privileged, and
      // let the next need (e.g. opening an admin page) ask again.
      if (mine === generation) load = null;
    }
  }

  // Synchronous: the moment the session is gone, so are its permissions.
  watch(
    () => sessionStore.state.status,
    (status) => {
      if (status !== "signed-in") clear();
    },
    { flush: "sync" },
  );

  return {
    state: readonly(state),

    /** Asks the server once per signed-in page load; concurrent and later calls share it. */
    ensureLoaded(): Promise<void> {
      if (!sessionStore.signedIn) return Promise.resolve();
      load ??= fetchNow();
      return load;
    },

    /** Asks again (after the viewer changed their own role). */
    refresh(): Promise<void> {
      generation += 1;
      load = sessionStore.signedIn ? fetchNow() : Promise.resolve();
      return load;
    },

    clear,

    can(permission: Permission): boolean {
      return state.permissions.includes(permission);
    },
  };
}

export type PermissionsStore = ReturnType<typeof createPermissionsStore>;

/** The app-wide instance, bound to the app-wide session. */
export const permissions = createPermissionsStore();
