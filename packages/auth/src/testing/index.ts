export { ManualClock } from "./manual-clock.js";
export { TestClient, parseSetCookie, type SetCookie } from "./test-client.js";
export {
  signUp,
  STRONG_PASSWORD,
  uniqueEmail,
  type SignedUp,
  type SignUpOptions,
} from "./sign-up.js";
