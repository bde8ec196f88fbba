import { computed } from "@preact/signals";
import { describe, expect, it } from "vitest";

import { ERROR_CODES } from "../../src/data/contract.gen";
import { loadErrorTexts } from "../../src/data/messages";
import { refusalText } from "../../src/screens/mileage-fields";
import { language } from "../../src/app/i18n";

/** Every source file of the phone, as text. */
const sources = import.meta.glob<string>("../../src/**/*.{ts,tsx}", { query: "?raw", import: "default", eager: true });

describe("the server's error texts on the phone", () => {
  it("are loaded by the data layer alone: no screen fetches its own copy of the catalogue", () => {
    const loaders = Object.entries(sources).filter(([, text]) => /import\(\s*["'][./]*(data\/)?contract\.gen["']\s*\)/.test(text));
    expect(Object.keys(sources).length).toBeGreaterThan(50);
    expect(loaders.map(([path]) => path)).toEqual(["../../src/data/messages.ts"]);
  });

  it("a mileage refusal shown before the catalogue arrives is reworded in the server's words once it does", async () => {
    language.value = "fr";
    const shown = computed(() => refusalText("VEHICLE_PROFILE_MISSING"));
    expect(shown.value).toContain("VEHICLE_PROFILE_MISSING");
    await loadErrorTexts();
    expect(shown.value).toBe(ERROR_CODES.VEHICLE_PROFILE_MISSING.fr);
    language.value = "en";
    expect(shown.value).toBe(ERROR_CODES.VEHICLE_PROFILE_MISSING.en);
  });
});
