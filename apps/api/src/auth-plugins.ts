import { securityEvents } from "@hybrid-auth/auth";

/** The auth plugins of the to-do app: the same list for migrating and for serving. */
export const APP_AUTH_PLUGINS = [securityEvents()] as const;
