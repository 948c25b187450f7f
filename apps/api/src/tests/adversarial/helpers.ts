/**
 * Shared helpers of the adversarial suite (docs/security.md maps every test to its defence).
 * Not a test file: vitest only collects `*.test.ts`.
 */
import type { Context } from "hono";
import { expect } from "vitest";
import type { AbuseLimitOptions } from "@hybrid-auth/auth";
import { TestClient } from "@hybrid-auth/auth/testing";
import type { AppDeps } from "../../app.js";
import type { TestApp } from "../../testing/test-app.js";

export type SignedIn = Awaited<ReturnType<TestApp["signUp"]>>;
export type Sibling = Awaited<ReturnType<TestApp["sibling"]>>;

/** A nil-shaped v4 UUID that belongs to nobody. */
export const NOBODYS_ID = "00000000-0000-4000-8000-000000000000";
export const OTHER_STRONG_PASSWORD = "amber-lighthouse-quietly-17";

/** The per-client limits the harness raises, restated for siblings that set their own limits. */
export const GENEROUS_CLIENT_LIMITS: Partial<AbuseLimitOptions> = {
  signInsPerClient: { points: 10_000, seconds: 60 },
  signUpsPerClient: { points: 10_000, seconds: 60 },
  passwordChangesPerClient: { points: 10_000, seconds: 60 },
};

/** In-process requests have no socket: tests name the client address in this header. */
export const CLIENT_IP_HEADER = "X-Test-Client-Ip";
export const ipFromTestHeader = (c: Context) => c.req.header(CLIENT_IP_HEADER);

/** A browser-like client over another `createApp` (sibling) of the same database. */
export function clientOf(app: Sibling, headers?: Record<string, string>): TestClient {
  return new TestClient((request) => app.app.fetch(request), headers);
}

/** A sibling process with its own abuse limits that sees a client address per request. */
export function limitedSibling(
  t: TestApp,
  limits: Partial<AbuseLimitOptions>,
  extra?: Partial<AppDeps>,
) {
  return t.sibling({
    abuseLimits: { ...GENEROUS_CLIENT_LIMITS, ...limits },
    getClientIp: ipFromTestHeader,
    ...extra,
  });
}

export type ProblemBody = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { pointer: string; detail: string }[];
};

/** An RFC 9457 problem with this status that leaks no stack, SQL or token. */
export async function expectProblem(response: Response, status: number): Promise<ProblemBody> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const text = await response.text();
  expect(text).not.toMatch(/\bat .*\.[jt]s:\d+|select |insert |update "|eyJ/i);
  const body = JSON.parse(text) as ProblemBody;
  expect(body.status).toBe(status);
  expect(body.title).toBeTruthy();
  expect(body.type).toBeTruthy();
  return body;
}

export function pointersOf(problem: ProblemBody): string[] {
  return (problem.errors ?? []).map((error) => error.pointer);
}

/** The `Cookie` header a browser would send for these pairs, in this order. */
export const cookieHeader = (pairs: [string, string][]) =>
  pairs.map(([name, value]) => `${name}=${value}`).join("; ");

/** True when the response clears both auth cookies (Max-Age=0). */
export function clearsAuthCookies(response: Response, prefix = ""): boolean {
  const cleared = response.headers
    .getSetCookie()
    .filter((header) => /Max-Age=0/i.test(header))
    .map((header) => header.slice(0, header.indexOf("=")).trim());
  return cleared.includes(`${prefix}auth_access`) && cleared.includes(`${prefix}auth_session`);
}

/** Every `Set-Cookie` value of the two auth cookies this response handed out (not clearings). */
export function issuedCookieValues(response: Response): { name: string; value: string }[] {
  return response.headers.getSetCookie().flatMap((header) => {
    const pair = header.split(";")[0] ?? "";
    const at = pair.indexOf("=");
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    return value === "" ? [] : [{ name, value }];
  });
}

/** A promise to wait on and the function that resolves it: forces an interleaving. */
export function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Requests sent with the raw body and content type given (bypassing the JSON helper). */
export function rawPost(
  client: TestClient,
  method: string,
  path: string,
  body: RequestInit["body"],
  contentType = "application/json",
) {
  return client.request(method, path, { body, headers: { "Content-Type": contentType } });
}
