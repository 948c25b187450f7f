/** What the burst's load generator (burst-driver.ts) is told and what it answers. */

export type BurstDriverInput = {
  urls: string[];
  /** One access-token `Cookie` header per revocation, each used once. */
  cookies: string[];
  /** Revocations per second, over all servers. */
  rate: number;
  seconds: number;
  /** Kept-alive connections per server. */
  socketsPerServer: number;
  /** How long to wait for the last answers after the last request was sent. */
  drainSeconds: number;
};

/** One second of the burst, by when each request was sent. */
export type BurstSecond = {
  sent: number;
  /** Answered 204: the session was revoked. */
  revoked: number;
  otherStatus: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
};

export type BurstDriverOutput = {
  requested: number;
  sent: number;
  /** Whether every request was answered before the drain deadline. */
  drained: boolean;
  maxInFlight: number;
  elapsedSeconds: number;
  perSecond: BurstSecond[];
  /** Indexes (into the input cookies) of the sessions answered 204. */
  revoked: number[];
};
