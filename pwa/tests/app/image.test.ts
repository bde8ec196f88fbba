import { describe, expect, it } from "vitest";
import { fitWithin, MAX_RECEIPT_SIDE } from "../../src/app/image";

describe("receipt downscale size", () => {
  it("brings a 12 MP portrait photo to 2000 px on its long side, keeping the ratio", () => {
    expect(fitWithin(3000, 4000)).toEqual({ width: 1500, height: 2000 });
    expect(fitWithin(4032, 3024)).toEqual({ width: 2000, height: 1500 });
  });

  it("never enlarges a small image", () => {
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 });
    expect(fitWithin(MAX_RECEIPT_SIDE, 10)).toEqual({ width: MAX_RECEIPT_SIDE, height: 10 });
  });

  it("keeps a very thin strip at least one pixel wide", () => {
    expect(fitWithin(100_000, 3)).toEqual({ width: 2000, height: 1 });
  });

  it("refuses an image without size", () => {
    expect(() => fitWithin(0, 100)).toThrow(RangeError);
  });
});
