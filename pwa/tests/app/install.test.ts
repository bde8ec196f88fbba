import { describe, expect, it } from "vitest";
import { needsIosInstallCoaching } from "../../src/app/sw-bridge";

const IPHONE_SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
const ANDROID_CHROME = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36";

describe("iPhone install coaching", () => {
  it("is shown in iPhone Safari when the app is not started from the home screen", () => {
    expect(needsIosInstallCoaching(IPHONE_SAFARI, false)).toBe(true);
  });
  it("is not shown once installed, nor on Android", () => {
    expect(needsIosInstallCoaching(IPHONE_SAFARI, true)).toBe(false);
    expect(needsIosInstallCoaching(ANDROID_CHROME, false)).toBe(false);
  });
});
