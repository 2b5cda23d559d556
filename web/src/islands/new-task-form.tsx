import {
  type ClipboardEvent,
  type RefObject,
  type SubmitEvent,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from "react";
import type { Reminder } from "../../../worker/src/tasks/reminders.ts";
import type { TaskFields } from "../lib/api-client.ts";
import { forgetDraftIf, readDrafts, saveDraft } from "../lib/drafts.ts";
import {
  API_STORES_RECURRENCE,
  type QuickAdd,
  type QuickPart,
  recognisedSummary,
  toCreateBody,
} from "../lib/quick-add-task.ts";
import { withReminders } from "../lib/reminders.ts";
import { checkTags, type DetailsDraft, emptyDetails, isBlank, type TypedTask } from "../lib/task-view.ts";
import { browserZone } from "../lib/time-zone.ts";
import { ReminderFields } from "./reminder-fields.tsx";
import { TaskDetailsFields, useDetailsDraft } from "./task-details-fields.tsx";

interface Props {
  disabled: boolean;
  inputRef: RefObject<HTMLInputElement | null>;
  /** Whose drafts these are; null until the list knows who is signed in. */
  userId: string | null;
  /** Resolves false when the server refused: the typed title comes back if the field is still empty. */
  onAdd: (fields: TaskFields) => Promise<boolean>;
  /** A draft kept from before (an ended session, a reload) was put back into the form. */
  onRestored: () => void;
  /** What was restored is gone: sent, or emptied on purpose. */
  onDraftGone: () => void;
}

type Parse = (text: string, ignore: readonly string[]) => QuickAdd;

let parserLoad: Promise<Parse> | undefined;
/** The quick-add parser (chrono-node and rrule, ~40 KB gzip) is fetched when the person starts typing, not with the page. */
function loadParser(): Promise<Parse> {
  parserLoad ??= import("../lib/quick-add.ts").then(
    ({ parseQuickAdd }) =>
      (text, ignore) =>
        parseQuickAdd(text, { now: new Date(), timeZone: browserZone(), repeats: API_STORES_RECURRENCE, ignore }),
    (error: unknown) => {
      // Not fetched (offline before it was cached, a deploy since the page loaded): ask again next time.
      parserLoad = undefined;
      throw error;
    },
  );
  return parserLoad;
}

/** What is saved when the parser cannot be had: the text as typed, nothing read from it — never nothing. */
const asTyped: Parse = (text) => ({
  title: text.trim(),
  due: null,
  tags: [],
  priority: null,
  recurrence: null,
  parts: [],
});

/** Several lines pasted into New task: waiting for "one task per line?" to be answered. */
interface PasteOffer {
  lines: string[];
  start: number;
  end: number;
}

/**
 * "New task": Enter adds (trimmed; nothing when empty); details are one button away. Quick add reads dates,
 * repeats, #tags and priorities from the text and shows them as chips (docs/web.md, decision 021).
 */
export function NewTaskForm({ disabled, inputRef, userId, onAdd, onRestored, onDraftGone }: Props) {
  const [title, setTitle] = useState("");
  const { details, setDetails, tagsError, setTagsError, change } = useDetailsDraft(emptyDetails);
  const [reminders, setReminders] = useState<Reminder[]>([]);
  const [open, setOpen] = useState(false);
  // Chips the person removed: their text stays in the title as typed.
  const [ignore, setIgnore] = useState<readonly string[]>([]);
  const [parse, setParse] = useState<Parse | null>(null);
  const [pasteOffer, setPasteOffer] = useState<PasteOffer | null>(null);
  const pasteConfirmRef = useRef<HTMLButtonElement>(null);
  const id = useId();
  // An add settles when the server answers: the form (the page, a test) may be gone by then.
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const quick = useMemo(() => (parse && title.trim() ? parse(title, ignore) : null), [parse, title, ignore]);
  const parts = quick?.parts ?? [];
  const partOf = (kind: QuickPart["kind"]) => parts.find((part) => part.kind === kind);

  function startParser() {
    // Not to be had (offline, a deploy since): no chips, and Enter adds the text as typed (onSubmit).
    if (!parse)
      loadParser().then(
        (loaded) => setParse(() => loaded),
        () => undefined,
      );
  }

  useEffect(() => {
    if (pasteOffer) pasteConfirmRef.current?.focus();
  }, [pasteOffer]);

  function removePart(part: QuickPart) {
    setIgnore((current) => [...current, part.text]);
    inputRef.current?.focus();
  }

  // What was typed before the page was left (an ended session, a reload) comes back.
  useEffect(() => {
    const draft = userId ? readDrafts(userId).newTask : undefined;
    if (!draft) return;
    setTitle((current) => current || draft.title);
    setDetails(draft.details);
    if (!isBlank({ title: "", details: draft.details })) setOpen(true);
    onRestored();
  }, [userId, setDetails, onRestored]);

  /** Every keystroke is kept, so an ended session loses nothing; an emptied form keeps nothing. */
  function remember(typed: TypedTask) {
    if (!userId) return;
    const blank = isBlank(typed);
    saveDraft(userId, "newTask", blank ? null : typed);
    if (blank) onDraftGone();
  }

  /** A recognised priority or date is what the details show; changing it there removes its chip. */
  const shownDetails: DetailsDraft = {
    ...details,
    priority: quick?.priority ?? details.priority,
    due: quick?.due?.date ?? details.due,
    dueTime: quick?.due ? (quick.due.time ?? "") : details.dueTime,
  };

  function changeDetails(next: Partial<DetailsDraft>) {
    const dueChip = "due" in next || "dueTime" in next ? partOf("due") : undefined;
    const overridden = ["priority" in next ? partOf("priority") : undefined, dueChip].filter(
      (part) => part !== undefined,
    );
    if (overridden.length) setIgnore((current) => [...current, ...overridden.map((part) => part.text)]);
    // A date the chip gave stays when only its time is set here (and the other way round).
    const changed = dueChip ? { due: shownDetails.due, dueTime: shownDetails.dueTime, ...next } : next;
    change(changed);
    remember({ title, details: { ...details, ...changed } });
  }

  /** The form as it starts: details are for one task only, folded away; carry on typing the next one. */
  function clearForm() {
    setTitle("");
    setIgnore([]);
    setDetails(emptyDetails);
    setReminders([]);
    setTagsError(undefined);
    setOpen(false);
    inputRef.current?.focus();
  }

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = title.trim();
    if (!trimmed) {
      setTitle("");
      return;
    }
    // The draft stays kept until the server has the task: a session that ends now loses nothing.
    const sent: TypedTask = { title, details };
    const sentIgnore = ignore;
    const sentReminders = reminders;
    const putBack = () => {
      // Unless the person has started on the next task.
      if (inputRef.current?.value) return;
      setTitle(trimmed);
      setIgnore(sentIgnore);
      setDetails(sent.details);
      setReminders(sentReminders);
    };
    let parseNow = parse;
    const clearedEarly = !parseNow;
    if (!parseNow) {
      // Enter before the parser arrived: the form empties at once as always, and the task is read and added
      // when the parser is here (it was asked for at the first keystroke) — what the chips say is what is saved.
      // If it cannot be had, the task is added as typed.
      clearForm();
      parseNow = await loadParser().catch(() => asTyped);
    }
    const fields: TaskFields = withReminders(
      toCreateBody(parseNow(sent.title, sentIgnore), sent.details),
      sentReminders,
    );
    const problem = checkTags(fields.tags);
    if (problem) {
      putBack();
      setOpen(true);
      setTagsError(problem);
      return;
    }
    // Once only: what the person typed since an early clear is the next task.
    if (!clearedEarly) clearForm();
    const added = await onAdd(fields);
    if (added && userId) forgetDraftIf(userId, "newTask", sent);
    if (!mounted.current) return; // no form to update any more (the queue keeps the task)
    if (added) {
      onDraftGone();
      return;
    }
    // Refused: what was sent comes back.
    putBack();
  }

  /** Several lines pasted: ask whether each is a task of its own (answered in onPasteAnswer). */
  function onPaste(event: ClipboardEvent<HTMLInputElement>) {
    const lines = event.clipboardData
      .getData("text/plain")
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean);
    if (lines.length < 2) return;
    event.preventDefault();
    startParser();
    const input = event.currentTarget;
    setPasteOffer({ lines, start: input.selectionStart ?? title.length, end: input.selectionEnd ?? title.length });
  }

  async function onPasteAnswer(answer: "tasks" | "one line" | "cancel") {
    const offer = pasteOffer;
    setPasteOffer(null);
    inputRef.current?.focus();
    if (!offer || answer === "cancel") return;
    if (answer === "one line") {
      const next = (title.slice(0, offer.start) + offer.lines.join(" ") + title.slice(offer.end)).slice(0, 200);
      setTitle(next);
      remember({ title: next, details });
      return;
    }
    const parseNow = parse ?? (await loadParser());
    // Each line is its own quick add; the form's details belong to what is typed in it, not to these.
    await Promise.all(offer.lines.map((line) => onAdd(toCreateBody(parseNow(line, []), emptyDetails))));
  }

  return (
    <form className="new-task" onSubmit={onSubmit} aria-label="Add a task">
      <div className="field">
        <label htmlFor={`${id}-title`}>New task</label>
        <div className="new-task-row">
          <input
            id={`${id}-title`}
            ref={inputRef}
            className="input"
            value={title}
            maxLength={200}
            autoComplete="off"
            placeholder="What needs doing?"
            enterKeyHint="done"
            disabled={disabled}
            onFocus={startParser}
            onPaste={onPaste}
            onChange={(event) => {
              startParser();
              setTitle(event.target.value);
              if (!event.target.value.trim()) setIgnore([]);
              remember({ title: event.target.value, details });
            }}
            onKeyDown={(event) => {
              // Escape leaves the field, so the list's shortcuts answer again.
              if (event.key === "Escape") event.currentTarget.blur();
            }}
          />
          <button
            type="button"
            className="btn"
            aria-expanded={open}
            aria-controls={`${id}-details`}
            disabled={disabled}
            onClick={() => setOpen((value) => !value)}
          >
            Details
          </button>
          <button type="submit" className="btn btn-primary" disabled={disabled}>
            Add task
          </button>
        </div>
        {parts.length > 0 && (
          <ul className="quick-chips" aria-label="Recognised">
            {parts.map((part) => (
              <li key={`${part.kind}:${part.start}`}>
                <button
                  type="button"
                  className={`quick-chip quick-chip-${part.kind}`}
                  aria-label={`Remove "${part.label}"`}
                  title={`Keep "${part.text}" as words in the title`}
                  disabled={disabled}
                  onClick={() => removePart(part)}
                >
                  {part.label}
                  <span aria-hidden="true" className="quick-chip-x">
                    ×
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <p className="visually-hidden" aria-live="polite">
          {recognisedSummary(parts)}
        </p>
      </div>
      {pasteOffer && (
        <div
          className="confirm confirm-bulk confirm-calm paste-offer"
          role="alertdialog"
          aria-labelledby={`${id}-paste-question`}
          onKeyDown={(event) => {
            if (event.key === "Escape") {
              event.stopPropagation();
              void onPasteAnswer("cancel");
            }
          }}
        >
          <p id={`${id}-paste-question`}>
            <strong>Add {pasteOffer.lines.length} tasks, one per line?</strong>
          </p>
          <div className="button-row">
            <button
              type="button"
              ref={pasteConfirmRef}
              className="btn btn-small btn-primary"
              onClick={() => void onPasteAnswer("tasks")}
            >
              Add {pasteOffer.lines.length} tasks
            </button>
            <button type="button" className="btn btn-small" onClick={() => void onPasteAnswer("one line")}>
              Paste as one line
            </button>
          </div>
        </div>
      )}
      <div id={`${id}-details`} className="details" hidden={!open}>
        <TaskDetailsFields draft={shownDetails} disabled={disabled} tagsError={tagsError} onChange={changeDetails} />
        <ReminderFields
          reminders={reminders}
          hasDueTime={Boolean(shownDetails.due && shownDetails.dueTime)}
          onChange={setReminders}
        />
      </div>
    </form>
  );
}
