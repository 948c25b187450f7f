import { shallowRef, type Component } from "vue";

/**
 * The "verify your email" banner, once downloaded. Only users whose email still needs
 * verifying ever download it; the router waits for it before showing their first page, so
 * the banner never arrives late and pushes the page down (a layout shift).
 */
export const verifyEmailBanner = shallowRef<Component | null>(null);

let request: Promise<void> | null = null;

/**
 * Downloads the banner (once; again after a failure, such as being offline). Never rejects:
 * a page opens without its banner rather than not at all.
 *
 * @example
 * if (emailVerifiedOf(user) === false) await loadVerifyEmailBanner();
 */
export function loadVerifyEmailBanner(): Promise<void> {
  request ??= import("../components/VerifyEmailBanner.vue").then(
    (module) => {
      verifyEmailBanner.value = module.default;
    },
    () => {
      request = null;
    },
  );
  return request;
}
