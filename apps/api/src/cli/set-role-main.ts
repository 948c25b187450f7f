import { setRole } from "./set-role.js";

/** The entry point of `pnpm auth:set-role <email> <role>`. */
const code = await setRole(process.argv.slice(2), undefined, {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
process.exit(code);
