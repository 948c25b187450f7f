import type { Clock } from "../clock.js";

/** A clock that moves only when a test says so. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2030, 0, 1, 12, 0, 0)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  advanceSeconds(seconds: number): void {
    this.advance(seconds * 1000);
  }
}
