import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach, beforeEach, vi } from "vitest";
import { resetApiClientForTests } from "../lib/api-client.ts";
import { navigation } from "../lib/navigation.ts";

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
