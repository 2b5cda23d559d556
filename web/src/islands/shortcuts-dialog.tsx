import type { Ref } from "react";

export const shortcuts = [
  ["n", "Focus New task"],
  ["/", "Focus Search tasks"],
  ["j", "Next task"],
  ["k", "Previous task"],
  ["x", "Complete or reopen the focused task"],
  ["e", "Edit the focused task"],
  ["Delete", "Delete the focused task"],
  ["Alt+↑", "Move the focused task up (Sort by Manual)"],
  ["Alt+↓", "Move the focused task down (Sort by Manual)"],
  ["g i", "Open the Inbox"],
  ["g 1–9", "Open the first to ninth list"],
  ["?", "Show these shortcuts"],
] as const;

/** Opens a <dialog> as a modal where the browser can (jsdom cannot), plainly otherwise. */
export function openDialog(dialog: HTMLDialogElement): void {
  if (typeof dialog.showModal === "function") dialog.showModal();
  else dialog.setAttribute("open", "");
}

export function closeDialog(dialog: HTMLDialogElement): void {
  if (typeof dialog.close === "function") dialog.close();
  else {
    dialog.removeAttribute("open");
    dialog.dispatchEvent(new Event("close"));
  }
}

/** The keyboard shortcuts, in a modal dialog (Escape or Close shuts it). */
export function ShortcutsDialog({ ref, onClose }: { ref: Ref<HTMLDialogElement>; onClose: () => void }) {
  return (
    <dialog ref={ref} className="shortcuts" aria-labelledby="shortcuts-title" onClose={onClose}>
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <p className="field-hint">They work whenever you are not typing in a field.</p>
      <dl>
        {shortcuts.map(([key, action]) => (
          <div key={key} className="contents">
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{action}</dd>
          </div>
        ))}
      </dl>
      <button
        type="button"
        className="btn btn-primary"
        onClick={(event) => {
          const dialog = event.currentTarget.closest("dialog");
          if (dialog) closeDialog(dialog);
        }}
      >
        Close
      </button>
    </dialog>
  );
}
