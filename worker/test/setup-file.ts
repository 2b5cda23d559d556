import { beforeAll } from "vitest";
import { resetDatabase } from "./stand-in.ts";

// Each test file starts on an empty database.
beforeAll(async () => {
  await resetDatabase();
});
