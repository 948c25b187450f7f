export { ManualClock } from "./manual-clock.js";
export { TestClient, parseSetCookie, type SetCookie } from "./test-client.js";
