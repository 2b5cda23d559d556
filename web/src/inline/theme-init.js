// Runs in <head> before first paint: a theme the person chose wins over the system's.
try {
  const theme = localStorage.getItem("brisk-theme");
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
} catch {
  // Storage unavailable: follow the system.
}
