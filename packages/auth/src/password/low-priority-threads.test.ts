import { readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { libuvArgon2 } from "./argon2-executor.js";
import { OWASP_ARGON2_BASELINE, PasswordHasher } from "./hasher.js";
import { createLowPriorityArgon2, LowPriorityArgon2Threads } from "./low-priority-threads.js";

const onLinux = process.platform === "linux";

/** The nice value of every thread of this process, by thread id (`/proc/self/task/*\/stat`). */
function threadNiceValues(): Map<string, number> {
  const nice = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces), from field 3 on; nice is 19th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    nice.set(tid, Number(fields[16]));
  }
  return nice;
}

describe("LowPriorityArgon2Threads", () => {
  const opened: LowPriorityArgon2Threads[] = [];
  const threads = (nice: number, onFailure: (error: Error) => void = () => {}) => {
    const executor = new LowPriorityArgon2Threads(nice, 2, onFailure);
    opened.push(executor);
    return executor;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((executor) => executor.close()));
  });

  it("hashes and verifies exactly as libuv's pool does", async () => {
    const executor = threads(10);
    const stored = await executor.hash("correct horse", OWASP_ARGON2_BASELINE);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await libuvArgon2.verify(stored, "correct horse")).toBe(true);
    const fromLibuv = await libuvArgon2.hash("battery staple", OWASP_ARGON2_BASELINE);
    expect(await executor.verify(fromLibuv, "battery staple")).toBe(true);
    expect(await executor.verify(fromLibuv, "wrong")).toBe(false);
    expect(await executor.verify("not a hash", "x")).toBe(false);
  });

  it.runIf(onLinux)(
    "runs argon2 on threads of its nice value, the event loop keeps 0",
    async () => {
      const before = threadNiceValues();
      const executor = threads(13);
      await Promise.all([1, 2].map((i) => executor.hash(`p${i}`, OWASP_ARGON2_BASELINE)));
      const after = threadNiceValues();
      const newThreads = [...after].filter(([tid]) => !before.has(tid));
      // Each worker thread lowered itself (Node may add helper threads at 0 beside them).
      expect(newThreads.filter(([, nice]) => nice === 13)).toHaveLength(2);
      expect(after.get(String(process.pid))).toBe(0);
    },
  );

  it("runs the work on libuv's pool, loses no job and reports once when a thread fails", async () => {
    const failures: Error[] = [];
    // 100 is out of setPriority's range: every thread dies as it starts.
    const executor = threads(100, (error) => failures.push(error));
    const stored = await libuvArgon2.hash("p", OWASP_ARGON2_BASELINE);
    const results = await Promise.all([
      executor.verify(stored, "p"),
      executor.verify(stored, "q"),
      executor.hash("r", OWASP_ARGON2_BASELINE),
    ]);
    expect(results.slice(0, 2)).toEqual([true, false]);
    expect(await libuvArgon2.verify(results[2] as string, "r")).toBe(true);
    expect(await executor.verify(stored, "p")).toBe(true);
    expect(failures).toHaveLength(1);
  });

  it("finishes a job whose thread is stopped under it", async () => {
    const executor = threads(10);
    const stored = await executor.hash("p", OWASP_ARGON2_BASELINE);
    const running = executor.verify(stored, "p");
    await executor.close();
    expect(await running).toBe(true);
  });

  it("answers the jobs still waiting for a thread when it is closed", async () => {
    const executor = new LowPriorityArgon2Threads(10, 1, () => {});
    opened.push(executor);
    const stored = await libuvArgon2.hash("p", OWASP_ARGON2_BASELINE);
    // One thread: the first job runs, the other three wait in the executor's queue.
    const jobs = [1, 2, 3, 4].map(() => executor.verify(stored, "p"));
    await executor.close();
    expect(await Promise.all(jobs)).toEqual([true, true, true, true]);
  });

  it("bounds the threads by the hasher's semaphore (shedding still works)", async () => {
    const hasher = new PasswordHasher(OWASP_ARGON2_BASELINE, 1, 2, threads(10));
    const stored = await hasher.hash("p");
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, () => hasher.verify(stored, "p")),
    );
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(3);
  });
});

describe("createLowPriorityArgon2", () => {
  it("uses libuv's pool off Linux, or with nice 0", () => {
    expect(createLowPriorityArgon2({ nice: 10, threads: 1, platform: "darwin" })).toBe(libuvArgon2);
    expect(createLowPriorityArgon2({ nice: 0, threads: 1, platform: "linux" })).toBe(libuvArgon2);
    const threads = createLowPriorityArgon2({ nice: 10, threads: 1, platform: "linux" });
    expect(threads).toBeInstanceOf(LowPriorityArgon2Threads);
    // Shared by every auth instance of the process with the same setting.
    expect(createLowPriorityArgon2({ nice: 10, threads: 1, platform: "linux" })).toBe(threads);
  });
});
