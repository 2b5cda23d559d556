import {
  type FormEvent,
  Fragment,
  lazy,
  type MouseEvent,
  Suspense,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from "react";
import { flushSync } from "react-dom";
import type { List, Task } from "../lib/api-client.ts";
import { type ListFields, type ListPatch, positionAfter } from "../lib/list-actions.ts";
import { activeCounts, orderedLists } from "../lib/lists.ts";
import { isTypingTarget } from "../lib/shortcuts.ts";
import { filterHref, type View } from "../lib/task-view.ts";

/**
 * The person's lists beside the task list (docs/web.md "Lists"): the Inbox first, each with its
 * active tasks counted from the replica; choosing one filters the view (`?list=`). Lists are added,
 * renamed, recoloured and deleted here (deleting asks what becomes of the list's tasks), through the
 * task store's queue (lib/outbox.ts): at once, offline too; a refusal shows in the task list's alert. At phone
 * widths the lists are a drawer behind the Lists button. Keyboard: `g` then `i` opens the Inbox,
 * `g` then a digit the nth list.
 */
/** Editing a list loads when first needed: they are not part of the first paint. */
const ListEditor = lazy(() => import("./list-editor.tsx"));

export interface ListSidebarProps {
  userId: string | null;
  lists: Record<string, List> | undefined;
  /** False until the stored queue is read: a list in the URL may be one made offline, not yet sent. */
  listsSettled?: boolean;
  tasks: readonly Task[];
  view: View;
  onSelect: (list: string | null) => void;
  /** Queues a new list; its id, or null when it could not be queued. */
  addList: (fields: ListFields) => string | null;
  editList: (list: List, patch: ListPatch) => void;
  /** Deletes a list, with Undo for a few seconds (the task list's toast). */
  deleteList: (list: List, tasks: "move" | "delete") => void;
}

export function ListSidebar({
  userId,
  lists,
  listsSettled = true,
  tasks,
  view,
  onSelect,
  addList,
  editList,
  deleteList,
}: ListSidebarProps) {
  const ordered = useMemo(() => orderedLists(lists), [lists]);
  const inboxId = ordered.find((list) => list.inbox)?.id;
  const counts = useMemo(() => activeCounts(tasks, inboxId), [tasks, inboxId]);
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [name, setName] = useState("");
  const panelId = useId();
  const toggleRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const selected = view.list ?? null;

  const select = (list: string | null) => {
    onSelect(list);
    if (open) {
      flushSync(() => setOpen(false));
      toggleRef.current?.focus();
    }
  };

  // A list chosen in the URL that is not (or no longer) the person's — deleted on another device, an old
  // link — shows every list rather than an empty view. Only once the lists, and the queued list changes, are known.
  useEffect(() => {
    if (listsSettled && lists && selected && !lists[selected]) onSelect(null);
  }, [listsSettled, lists, selected, onSelect]);

  // `g` then `i`: the Inbox; `g` then 1–9: the nth list. Never while typing.
  const selectRef = useRef(select);
  selectRef.current = select;
  const orderedRef = useRef(ordered);
  orderedRef.current = ordered;
  useEffect(() => {
    let pending = false;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTypingTarget(event.target)) {
        pending = false;
        return;
      }
      if (!pending) {
        pending = event.key === "g";
        return;
      }
      pending = false;
      const lists = orderedRef.current;
      const target = event.key === "i" ? lists.find((list) => list.inbox) : lists[Number(event.key) - 1];
      if (!target || !/^[i1-9]$/.test(event.key)) return;
      event.preventDefault();
      selectRef.current(target.id);
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);

  const onAdd = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!userId || !trimmed) return;
    const id = addList({ name: trimmed, colour: "grey", position: positionAfter(ordered) });
    if (!id) return;
    setName("");
    onSelect(id);
  };

  const onLink = (list: string | null) => (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    select(list);
  };

  return (
    <nav className="list-sidebar" aria-label="Lists">
      <button
        ref={toggleRef}
        type="button"
        className="btn btn-small list-drawer-toggle"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((was) => !was)}
      >
        Lists
      </button>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: Escape closes the drawer; the controls inside are the interaction */}
      <div
        id={panelId}
        ref={panelRef}
        className="list-panel"
        data-open={open || undefined}
        onKeyDown={(event) => {
          if (event.key !== "Escape" || !open) return;
          event.stopPropagation();
          setOpen(false);
          toggleRef.current?.focus();
        }}
      >
        <h2 className="list-panel-title">Lists</h2>
        <div className="lists">
          <div className="list-row">
            <a
              className="list-link"
              href={filterHref(view.filter, { ...view, list: null })}
              aria-current={selected === null ? "page" : undefined}
              onClick={onLink(null)}
            >
              <span className="list-name">Every list</span>
            </a>
          </div>
          {ordered.map((list) => (
            <Fragment key={list.id}>
              {editing === list.id && userId ? (
                <Suspense fallback={null}>
                  <ListEditor
                    list={list}
                    count={tasks.filter((task) => task.list === list.id).length}
                    onSave={(patch) => editList(list, patch)}
                    onDelete={(mode) => deleteList(list, mode)}
                    onDone={(gone) => {
                      flushSync(() => setEditing(null));
                      if (gone && selected === list.id) onSelect(null);
                    }}
                  />
                </Suspense>
              ) : (
                <div className="list-row">
                  <a
                    className="list-link"
                    href={filterHref(view.filter, { ...view, list: list.id })}
                    aria-current={selected === list.id ? "page" : undefined}
                    onClick={onLink(list.id)}
                  >
                    <span className={`list-dot list-colour-${list.colour}`} aria-hidden="true" />
                    <span className="list-name">{list.name}</span>
                    <span className="list-count">
                      {counts.get(list.id) ?? 0}
                      <span className="visually-hidden"> left</span>
                    </span>
                  </a>
                  <button
                    type="button"
                    className="btn btn-small btn-quiet list-edit"
                    aria-label={`Edit list ${list.name}`}
                    onClick={() => setEditing(list.id)}
                  >
                    Edit
                  </button>
                </div>
              )}
            </Fragment>
          ))}
        </div>
        <form className="list-add" onSubmit={onAdd}>
          <label htmlFor={`${panelId}-new`}>New list</label>
          <div className="list-add-row">
            <input
              id={`${panelId}-new`}
              className="input"
              type="text"
              value={name}
              maxLength={100}
              autoComplete="off"
              disabled={!userId}
              onChange={(event) => setName(event.target.value)}
            />
            <button type="submit" className="btn btn-small" disabled={!userId}>
              Add list
            </button>
          </div>
        </form>
      </div>
    </nav>
  );
}
