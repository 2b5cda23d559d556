// Runs in <head> before first paint: a theme the person chose wins over the system's, and a
// compact task list is compact from the first frame (no jump). Keys: config.ts.
try {
  const theme = localStorage.getItem("brisk-theme");
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  if (localStorage.getItem("brisk-density") === "compact") document.documentElement.dataset.density = "compact";
} catch {
  // Storage unavailable: follow the system, comfortable density.
}
