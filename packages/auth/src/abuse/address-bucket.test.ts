import { describe, expect, it } from "vitest";
import { addressBucket } from "./address-bucket.js";

describe("addressBucket", () => {
  it("keeps IPv4 addresses as they are", () => {
    expect(addressBucket("198.51.100.7")).toBe("198.51.100.7");
  });

  it("counts every address of one IPv6 /64 together, however it is spelt", () => {
    const spellings = [
      "2001:db8:1:2::1",
      "2001:db8:1:2::22",
      "2001:0db8:0001:0002:ffff:ffff:ffff:ffff",
      "2001:DB8:1:2:0:0:0:9",
      "[2001:db8:1:2::5]",
      "2001:db8:1:2::1.2.3.4",
    ];
    expect(new Set(spellings.map(addressBucket))).toEqual(new Set(["2001:db8:1:2::/64"]));
    expect(addressBucket("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(addressBucket("::1")).toBe("0:0:0:0::/64");
    expect(addressBucket("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });

  it("unwraps IPv4-mapped IPv6 addresses", () => {
    expect(addressBucket("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(addressBucket("::FFFF:c633:6407")).toBe("198.51.100.7");
  });

  it("leaves anything that is not an address alone", () => {
    expect(addressBucket("vanished-peer")).toBe("vanished-peer");
    expect(addressBucket("10.0.1.1x")).toBe("10.0.1.1x");
  });
});
