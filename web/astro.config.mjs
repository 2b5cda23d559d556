// @ts-check
import react from "@astrojs/react";
import { defineConfig } from "astro/config";

// A fully static site: the Worker serves web/dist with Workers Static Assets, and
// React hydrates only the islands that must react.
export default defineConfig({
  output: "static",
  integrations: [react()],
  build: { format: "directory" },
  devToolbar: { enabled: false },
});
