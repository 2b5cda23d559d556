import { beforeAll } from "vitest";
import { resetDatabase } from "./stand-in-control.ts";

// Each test file starts on an empty database.
beforeAll(async () => {
  await resetDatabase();
});
