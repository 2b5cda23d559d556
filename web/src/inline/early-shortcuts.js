// Until the task list is interactive, remember `n` or `/`; the island acts on it when it wakes.
addEventListener("keydown", (event) => {
  const root = document.documentElement;
  const target = event.target;
  if (root.hasAttribute("data-tasks-ready") || event.ctrlKey || event.metaKey || event.altKey) return;
  if (target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
    return;
  }
  if (event.key === "n" || event.key === "/") {
    event.preventDefault();
    root.setAttribute("data-early-key", event.key);
  }
});
