import fc from "fast-check";
import { parse } from "hono/utils/cookie";
import { describe, expect, it } from "vitest";
import { readCookie } from "./cookie-header.js";

const NAME = "__Host-auth_access";
const hono = (header: string, name: string) => parse(header, name)[name];

describe("readCookie", () => {
  it.each([
    ["__Host-auth_access=abc.def-_", "abc.def-_"],
    ["a=1; __Host-auth_access=tok; b=2", "tok"],
    ["  __Host-auth_access  =  tok  ;b=2", "tok"],
    ['__Host-auth_access="quoted"', "quoted"],
    ['__Host-auth_access="', ""],
    ["__Host-auth_access=", ""],
    ["__Host-auth_access=%41%zz", "A%zz"],
    ["x__Host-auth_access=no", undefined],
    ["a=__Host-auth_access=no", undefined],
    ["__Host-auth_access=bad\\value; __Host-auth_access=second", "second"],
    ["__Host-auth_access=first; __Host-auth_access=second", "first"],
    ["auth_access=plain", undefined],
    ["", undefined],
  ])("%j → %j, as Hono's parser", (header, expected) => {
    expect(readCookie(header, NAME)).toBe(expected);
    expect(readCookie(header, NAME)).toBe(hono(header, NAME));
  });

  it("answers what Hono's parser answers for any header", () => {
    const piece = fc.constantFrom(
      NAME,
      "__Host-auth_session",
      "auth_access",
      "=",
      ";",
      "; ",
      " ",
      "\t",
      '"',
      "%",
      "%41",
      "%E0%A4%A",
      "\\",
      ",",
      "abc.DEF-_9",
      "é",
      "\u0000",
    );
    const header = fc.array(piece, { maxLength: 14 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(header, (value) => readCookie(value, NAME) === hono(value, NAME)),
      { numRuns: 5000 },
    );
  });
});
