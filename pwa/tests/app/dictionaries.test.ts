import { describe, expect, it, vi } from "vitest";

import { MUTATORS } from "../../src/data/mutators";

/** A fresh copy of the i18n module, as on a first visit: no full dictionary loaded yet. */
async function firstVisit() {
  vi.resetModules();
  return import("../../src/app/i18n");
}

describe("dictionaries loaded on demand", () => {
  it("has the sign-in page's words at once, and the rest once the current language's dictionary arrives", async () => {
    const i18n = await firstVisit();
    i18n.setLanguage("en");
    expect(i18n.dictionaryReady.value).toBe(false);
    expect(i18n.t("signin.title")).toBe("Sign in");
    expect(i18n.t("pin.unlock")).toBe("Unlock");
    expect(i18n.t("nav.home")).toBe("");
    await i18n.loadDictionary("en");
    expect(i18n.dictionaryReady.value).toBe(true);
    expect(i18n.t("nav.home")).toBe("Home");
    expect(i18n.intentLabel("unknown.thing")).toBeNull();
  });

  it("shows the core words before any load completes", async () => {
    const i18n = await firstVisit();
    const arrived = vi.fn();
    const pending = i18n.loadDictionary("fr").then(arrived);
    i18n.setLanguage("fr");
    expect(i18n.t("signin.title")).toBe("Connexion");
    expect(i18n.dictionaryReady.value).toBe(false);
    expect(i18n.t("nav.settings")).toBe("");
    expect(arrived).not.toHaveBeenCalled();
    await pending;
    expect(i18n.dictionaryReady.value).toBe(true);
    expect(i18n.t("nav.settings")).toBe("Réglages");
  });

  it("switches the sign-in page's words at once, the other dictionary following", async () => {
    const i18n = await firstVisit();
    i18n.setLanguage("fr");
    await i18n.loadDictionary("fr");
    i18n.setLanguage("en");
    expect(i18n.language.value).toBe("en");
    expect(i18n.t("signin.title")).toBe("Sign in");
    expect(i18n.dictionaryReady.value).toBe(false);
    await i18n.loadDictionary("en");
    expect(i18n.t("nav.home")).toBe("Home");
  });

  it("loads the other language on a switch, keeping the current words until it arrives", async () => {
    const i18n = await firstVisit();
    const { effect } = await import("@preact/signals");
    i18n.setLanguage("fr");
    await i18n.loadDictionary("fr");
    const seen: string[] = [];
    const stop = effect(() => { seen.push(i18n.t("nav.home")); });
    i18n.holdLanguageSwitches(true); // the signed-in shell is showing
    i18n.setLanguage("en");
    expect(i18n.language.value).toBe("fr");
    expect(i18n.dictionaryReady.value).toBe(true);
    await vi.waitFor(() => expect(i18n.language.value).toBe("en"));
    stop();
    expect(i18n.dictionaryReady.value).toBe(true);
    expect(i18n.t("signin.submit")).toBe("Sign in");
    expect(new Set(seen)).toEqual(new Set(["Accueil", "Home"])); // never an empty label
    expect(seen.at(-1)).toBe("Home");
  });

  it("lets a later switch overtake one still waiting for its dictionary", async () => {
    const i18n = await firstVisit();
    i18n.setLanguage("fr");
    await i18n.loadDictionary("fr");
    i18n.holdLanguageSwitches(true);
    i18n.setLanguage("en");
    i18n.setLanguage("fr");
    await i18n.loadDictionary("en");
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(i18n.language.value).toBe("fr");
    expect(i18n.t("nav.home")).toBe("Accueil");
  });
});

describe("queued changes in plain words", () => {
  it("names every intent the phone sends, in French and in English", async () => {
    const i18n = await firstVisit();
    await Promise.all([i18n.loadDictionary("fr"), i18n.loadDictionary("en")]);
    const unnamed = [...MUTATORS.keys()].filter((name) => i18n.intentLabel(name, "fr") === null || i18n.intentLabel(name, "en") === null);
    expect(unnamed).toEqual([]);
  });
});
