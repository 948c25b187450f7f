import { describe, expect, it } from "vitest";
import { kib, markdownTable, median, medianOf } from "./summary";

describe("median", () => {
  it("takes the middle value of an odd count, the mean of the middle two of an even one", () => {
    expect(median([90, 70, 80])).toBe(80);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("ignores NaN and is NaN for nothing", () => {
    expect(median([Number.NaN, 5])).toBe(5);
    expect(median([])).toBeNaN();
  });
});

describe("medianOf", () => {
  it("takes each field's median on its own", () => {
    expect(
      medianOf([
        { score: 90, bytes: 300 },
        { score: 100, bytes: 100 },
        { score: 95, bytes: 200 },
      ]),
    ).toEqual({ score: 95, bytes: 200 });
  });
});

describe("markdownTable", () => {
  it("pads every column to its widest cell", () => {
    expect(
      markdownTable(
        ["page", "score"],
        [
          ["landing", "100"],
          ["sign-in", "98"],
        ],
      ),
    ).toBe(
      [
        "| page    | score |",
        "| ------- | ----- |",
        "| landing | 100   |",
        "| sign-in | 98    |",
      ].join("\n"),
    );
  });
});

it("kib writes one decimal", () => {
  expect(kib(1536)).toBe("1.5 KiB");
});
