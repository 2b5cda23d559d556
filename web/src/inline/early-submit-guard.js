// Until a form's island has hydrated, hold a submission; the island replays it (useEarlySubmit).
document.addEventListener(
  "submit",
  (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-island-form") && !form.hasAttribute("data-ready")) {
      event.preventDefault();
      form.setAttribute("data-pending", "");
    }
  },
  true,
);
