import "fake-indexeddb/auto";
// jsdom has no Web Locks API; the outbox holds a lock per tab (lib/outbox.ts).
import "navigator.locks";
import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { clear } from "idb-keyval";
import { afterAll, afterEach, beforeAll, beforeEach, vi } from "vitest";
import { resetApiClientForTests } from "../lib/api-client.ts";
import { navigation } from "../lib/navigation.ts";
import { queryClient } from "../lib/replica.ts";
import { resetSessionUserForTests } from "../lib/session-user.ts";
import { server } from "./fake-server.ts";

// waitFor/findBy give up after 1 s by default: too tight for a busy machine.
configure({ asyncUtilTimeout: 10_000 });

/** The live channel: accepted and quiet unless a test speaks on it (see `live` in fake-server.ts). */
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

beforeEach(async () => {
  resetApiClientForTests();
  resetSessionUserForTests();
  queryClient.clear();
  await clear();
  localStorage.clear();
  sessionStorage.clear();
  // jsdom cannot change pages; tests read where the app tried to go.
  vi.spyOn(navigation, "assign").mockImplementation(() => {});
  vi.spyOn(navigation, "replace").mockImplementation(() => {});
});

afterEach(() => {
  cleanup();
  server.resetHandlers();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});
