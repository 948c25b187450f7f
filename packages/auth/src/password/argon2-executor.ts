import { hash, verify } from "@node-rs/argon2";
import type { Argon2Parameters } from "./hasher.js";

/** `Algorithm.Argon2id`; the package exports it as a const enum, unusable here. */
export const ARGON2ID = 2;

/** Where argon2id runs: the computations, without any queueing (the hasher bounds them). */
export type Argon2Executor = {
  hash(password: string, parameters: Argon2Parameters): Promise<string>;
  /** Resolves false for a malformed stored hash; never rejects for one. */
  verify(storedHash: string, password: string): Promise<boolean>;
};

/**
 * argon2id on libuv's thread pool at the process's own priority (`@node-rs/argon2`'s async
 * functions): the portable executor, and the fallback of the low-priority threads.
 *
 * @example
 * const stored = await libuvArgon2.hash("correct horse", OWASP_ARGON2_BASELINE);
 * await libuvArgon2.verify(stored, "correct horse"); // true
 */
export const libuvArgon2: Argon2Executor = {
  hash: (password, parameters) => hash(password, { algorithm: ARGON2ID, ...parameters }),
  verify: (storedHash, password) => verify(storedHash, password).catch(() => false),
};
