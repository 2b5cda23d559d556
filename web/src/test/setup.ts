import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, beforeEach, vi } from "vitest";
import { resetApiClientForTests } from "../lib/api-client.ts";
import { navigation } from "../lib/navigation.ts";

// waitFor/findBy give up after 1 s by default: too tight for a busy machine.
configure({ asyncUtilTimeout: 10_000 });

beforeEach(() => {
  resetApiClientForTests();
  localStorage.clear();
  sessionStorage.clear();
  // jsdom cannot change pages; tests read where the app tried to go.
  vi.spyOn(navigation, "assign").mockImplementation(() => {});
  vi.spyOn(navigation, "replace").mockImplementation(() => {});
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});
