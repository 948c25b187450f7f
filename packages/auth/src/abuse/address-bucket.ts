import { isIPv4, isIPv6 } from "node:net";

/**
 * The per-client limits' bucket for an address. One IPv6 subscriber usually holds a whole /64
 * (and can pick any address in it), so IPv6 addresses count per /64; an IPv4-mapped IPv6
 * address (`::ffff:198.51.100.7`) counts as the IPv4 address it is. Anything else (a test's
 * label, an unparsable value) is its own bucket.
 *
 * @example
 * addressBucket("2001:db8:1:2::17");        // "2001:db8:1:2::/64"
 * addressBucket("::ffff:198.51.100.7");     // "198.51.100.7"
 * addressBucket("198.51.100.7");            // "198.51.100.7"
 */
export function addressBucket(address: string): string {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const withoutZone = bare.split("%", 1)[0]!;
  if (!isIPv6(withoutZone)) return address;
  const groups = expandIPv6(withoutZone);
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (mapped) {
    const v4 = [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join(".");
    if (isIPv4(v4)) return v4;
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (embedded IPv4 tail included). */
function expandIPv6(address: string): number[] {
  let text = address;
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    const [a, b, c, d] = tail.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  const left = parse(head);
  if (rest === undefined) return left;
  const right = parse(rest);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}
