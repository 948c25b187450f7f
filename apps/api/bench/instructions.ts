/**
 * `pnpm bench:instructions`: the floor ratios of issue 19 in instructions, which this
 * machine's neighbours cannot move.
 *
 * Throughput and CPU time on a shared 2-core VM move by up to 2× from one round to the next
 * (docs/performance.md, "Machine"), so `pnpm bench`'s bare / floor and hot / floor land on
 * either side of their goals from run to run. This counts the user-space instructions each
 * server executes per request instead, under `valgrind --tool=callgrind`, which gives the
 * same count for the same code and load whatever else the machine does:
 *
 * - the floor (`floor-server.ts`), the production server loaded with `GET /api/health`
 *   (bare) and with `GET /api/auth/session` over `--sessions` sessions (hot), each in a
 *   fresh process under callgrind with instrumentation off;
 * - `--warmup` requests first (the JIT settles), then instrumentation on for `--requests`
 *   requests from `--connections` keep-alive connections, then a dump;
 * - instructions per request (all threads), the parts spent compiling and collecting garbage,
 *   and bare / floor and hot / floor (the floor's count ÷ ours) of the instructions "served":
 *   all but the compilations and the garbage collections (see `served`).
 *
 * Options: --sessions=300 --warmup=100000 --requests=8000 --connections=10, --only=floor,bare,hot,
 * --keep-dumps=<dir> (callgrind's files, for callgrind_annotate), --from-dumps=<dir> (report
 * on kept dumps of `--requests` requests each, measuring nothing). PostgreSQL as in
 * `pnpm bench` when reachable, embedded PGlite otherwise. About 10 minutes.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { compileFloor } from "./compiled-floor.js";
import { runLoad } from "./load.js";
import { startBenchMailSink } from "./mail-sink.js";
import { createScratchDatabase, reachable } from "./postgres.js";
import { startServer, type RunningServer } from "./server-process.js";
import { BENCH_SERVER_ENV, benchPostgresUrl, flag, signUpMany } from "./setup.js";

const SESSIONS = Number(flag("sessions", "300"));
const WARMUP = Number(flag("warmup", "100000"));
const REQUESTS = Number(flag("requests", "8000"));
const CONNECTIONS = Number(flag("connections", "10"));
/**
 * V8 flags of every server. `--single-threaded` compiles and collects garbage on the main
 * thread, at the same points of the same run each time, instead of on helper threads racing
 * it: run to run, the counts moved by ±7 % without it.
 */
const NODE_ARGS = flag("node-args", "--single-threaded").split(",").filter(Boolean);
/** Keep callgrind's dumps (for `callgrind_annotate`) in this directory. */
const KEEP_DUMPS = flag("keep-dumps", "");
/** Report on the dumps `--keep-dumps` kept in this directory instead of measuring. */
const FROM_DUMPS = flag("from-dumps", "");
const VARIANTS = (flag("only", "floor,bare,hot").split(",") as Variant[]).filter((v) =>
  ["floor", "bare", "hot"].includes(v),
);
type Variant = "floor" | "bare" | "hot";

/** V8's scavenges of the young generation, by the names of its C++ functions. */
const MINOR_GC = /Scaveng|MinorGC|MinorMarkCompact|YoungGeneration|SemiSpace/;
/** V8's mark-compact collections (marking, sweeping, compacting) and heap walks. */
const MAJOR_GC =
  /Mark|Sweep|Evacuat|Compactor|PointersUpdat|MemoryReducer|RememberedSet|SlotSet|CollectGarbage|ArrayBufferSweeper|BodyDescriptor|HeapObject::SizeFromMap|ActiveSystemPages/;
/** V8's compilers (TurboFan, its parser and interpreter's bytecode generator, their zones). */
const COMPILATION =
  /v8::internal::compiler::|v8::internal::maglev|turboshaft|v8::internal::Zone|Compiler::|CompilationJob|RegisterAllocat|InstructionSelect|v8::internal::interpreter::|v8::internal::Parser|v8::internal::Scanner/;

type Count = {
  instructions: number;
  compilation: number;
  majorGc: number;
  minorGc: number;
  requests: number;
};

async function main(): Promise<void> {
  if (FROM_DUMPS) {
    const counts: Partial<Record<Variant, Count>> = {};
    for (const variant of VARIANTS) {
      counts[variant] = {
        ...readDump(join(FROM_DUMPS, `${variant}.callgrind`)),
        requests: REQUESTS,
      };
    }
    report(counts);
    return;
  }
  try {
    execFileSync("valgrind", ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error("valgrind is not installed (Debian: apt-get install valgrind)");
  }
  const usePostgres = await reachable(benchPostgresUrl);
  const database = usePostgres
    ? await createScratchDatabase(benchPostgresUrl, "instructions")
    : undefined;
  const dataDir = mkdtempSync(join(os.tmpdir(), "bench-instructions-"));
  const mail = await startBenchMailSink();
  const env = {
    ...BENCH_SERVER_ENV,
    ...mail.env,
    ...(database ? { DATABASE_URL: database.url } : {}),
  };
  try {
    const setup = await startServer(env, { dataDir });
    console.log(`signing up ${SESSIONS} users (${usePostgres ? "PostgreSQL" : "PGlite"})…`);
    const cookies = (await signUpMany(setup.url, SESSIONS, "instructions")).map(
      (pair) => `${pair.access}; ${pair.session}`,
    );
    await mail.delivered(SESSIONS);
    const hotBody = await (
      await fetch(`${setup.url}/api/auth/session`, { headers: { Cookie: cookies[0]! } })
    ).text();
    await setup.stop();

    const floorScript = compileFloor();
    const counts: Partial<Record<Variant, Count>> = {};
    for (const variant of VARIANTS) {
      const count = await countVariant(variant, { env, dataDir, hotBody, cookies, floorScript });
      counts[variant] = count;
      console.log(`${variant}: ${(served(count) / 1000).toFixed(1)} k instructions per request`);
    }
    report(counts);
  } finally {
    await mail.stop();
    await database?.drop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function countVariant(
  variant: Variant,
  setup: {
    env: Record<string, string>;
    dataDir: string;
    hotBody: string;
    cookies: string[];
    floorScript: string;
  },
): Promise<Count> {
  const outDir = mkdtempSync(join(os.tmpdir(), `bench-callgrind-${variant}-`));
  const wrapper = [
    "valgrind",
    "--tool=callgrind",
    "--instr-atstart=no",
    `--callgrind-out-file=${join(outDir, "callgrind.out")}`,
  ];
  // Node's start under valgrind takes a minute or more.
  const timeoutMs = 600_000;
  const server: RunningServer =
    variant === "floor"
      ? await startServer(
          { FLOOR_BODY: setup.hotBody },
          { script: setup.floorScript, wrapper, timeoutMs, nodeArgs: NODE_ARGS },
        )
      : await startServer(setup.env, {
          dataDir: setup.dataDir,
          wrapper,
          timeoutMs,
          nodeArgs: NODE_ARGS,
        });
  try {
    const path = variant === "bare" ? "/api/health" : "/api/auth/session";
    const load = {
      url: `${server.url}${path}`,
      connections: CONNECTIONS,
      seconds: 3_600,
      ...(variant === "bare" ? {} : { cookies: setup.cookies }),
    };
    const warm = await runLoad({ ...load, amount: WARMUP });
    const control = (command: string) =>
      execFileSync("callgrind_control", [command, String(server.process.pid)], {
        stdio: "ignore",
        // vgdb finds the server by a file named after USER and HOST: the server's HOST.
        env: { ...process.env, HOST: "127.0.0.1" },
      });
    control("--instr=on");
    const measured = await runLoad({ ...load, amount: REQUESTS });
    control("--instr=off");
    control("--dump");
    for (const sample of [warm, measured]) {
      if (sample.non2xx > 0 || sample.errors > 0)
        throw new Error(`${variant}: ${sample.non2xx} non-2xx answers, ${sample.errors} errors`);
    }
    const dump = readdirSync(outDir).find((file) => /^callgrind\.out\.\d+$/.test(file));
    if (!dump) {
      throw new Error(`${variant}: no dump in ${outDir} (${readdirSync(outDir).join(", ")})`);
    }
    if (KEEP_DUMPS) {
      mkdirSync(KEEP_DUMPS, { recursive: true });
      copyFileSync(join(outDir, dump), join(KEEP_DUMPS, `${variant}.callgrind`));
    }
    return { ...readDump(join(outDir, dump)), requests: measured.requests };
  } finally {
    await server.stop();
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Total instructions of a dump, and the parts in V8's compilers and garbage collector. */
function readDump(file: string): Omit<Count, "requests"> {
  const annotated = execFileSync(
    "callgrind_annotate",
    ["--inclusive=no", "--threshold=100", file],
    { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
  );
  const number = (text: string) => Number(text.replaceAll(",", ""));
  const total = /^([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS/m.exec(annotated);
  if (!total) throw new Error(`no program total in the annotation of ${file}`);
  const parts = { compilation: 0, majorGc: 0, minorGc: 0 };
  for (const line of annotated.split("\n")) {
    const row = /^\s*([\d,]+) \([\s\d.]+%\)\s+(.*)$/.exec(line);
    if (!row) continue;
    const [, count, name] = row as unknown as [string, string, string];
    if (COMPILATION.test(name)) parts.compilation += number(count);
    else if (MINOR_GC.test(name)) parts.minorGc += number(count);
    else if (MAJOR_GC.test(name)) parts.majorGc += number(count);
  }
  return { instructions: number(total[1]!), ...parts };
}

/**
 * Per request, less the JIT's compilations and the garbage collections: the instructions of
 * the code that serves the request, ours and Hono's and Node's. Under callgrind a process
 * runs some 50 times slower, and V8's time-based heuristics (its memory reducer, incremental
 * marking's pacing) start mark-compacts that a served load does not see: natively, the
 * production server under `GET /api/health` ran 0 mark-compacts in 250 000 requests after
 * its first 50 000 (`node --trace-gc`), while callgrind's windows counted tens of thousands
 * of instructions per request of them. Both parts are printed beside.
 */
const served = (count: Count) =>
  (count.instructions - count.compilation - count.majorGc - count.minorGc) / count.requests;

function report(counts: Partial<Record<Variant, Count>>): void {
  const column = (value: number) => `${(value / 1000).toFixed(1)} k`.padStart(11);
  console.log(`\ninstructions per request (${REQUESTS} requests after ${WARMUP} to warm up)`);
  console.log(
    "".padEnd(6) +
      ["all", "compiling", "mark-comp.", "scavenges", "served"].map((h) => h.padStart(11)).join(""),
  );
  for (const [variant, count] of Object.entries(counts)) {
    const per = (value: number) => column(value / count.requests);
    const { instructions, compilation, majorGc, minorGc } = count;
    console.log(
      `${variant.padEnd(6)}${per(instructions)}${per(compilation)}${per(majorGc)}${per(minorGc)}${column(served(count))}`,
    );
  }
  const goals: [string, Variant, Variant, number][] = [
    ["bare / floor", "floor", "bare", 0.85],
    ["hot / floor ", "floor", "hot", 0.8],
    ["hot / bare  ", "bare", "hot", 0.85],
  ];
  console.log("\nratios of the served instructions (the floor's or bare's ÷ ours)");
  for (const [name, base, ours, goal] of goals) {
    const [a, b] = [counts[base], counts[ours]];
    if (!a || !b) continue;
    const all = a.instructions / a.requests / (b.instructions / b.requests);
    const ratio = served(a) / served(b);
    console.log(
      `${name} ${ratio.toFixed(2)} (goal ≥ ${goal}: ${ratio >= goal ? "met" : "not met"}; of all instructions ${all.toFixed(2)})`,
    );
  }
}

await main();
