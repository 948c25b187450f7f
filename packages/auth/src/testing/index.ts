export { ManualClock } from "./manual-clock";
export { TestClient, parseSetCookie, type SetCookie } from "./test-client";
