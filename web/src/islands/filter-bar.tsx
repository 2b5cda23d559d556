import { createContext, type MouseEvent, type ReactNode, useContext, useRef } from "react";
import { flushSync } from "react-dom";
import { type Narrowing, narrowedHref, narrowingKeys, narrowingLabel, type View } from "../lib/task-view.ts";

/**
 * The tag, priority and due filters: a task's labels are links that narrow the list to them
 * (`FilterLink`), and the filters in force are chips that remove them (`FilterBar`). Both
 * are plain links and buttons over the URL, which keeps the filters (lib/task-view.ts).
 */

interface FilterLinks {
  view: View;
  narrow: (narrowing: Narrowing) => void;
}

const FilterLinksContext = createContext<FilterLinks | null>(null);

export const FilterLinksProvider = FilterLinksContext.Provider;

/** A label that filters the list by itself; outside a list (no provider) it is plain text. */
export function FilterLink({
  narrowing,
  className,
  children,
}: {
  narrowing: Narrowing;
  className?: string;
  children: ReactNode;
}) {
  const links = useContext(FilterLinksContext);
  if (!links) return <>{children}</>;
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    // A new tab or window keeps the browser's own way.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    links.narrow(narrowing);
  };
  return (
    <a className={`filter-link ${className ?? ""}`} href={narrowedHref(narrowing, links.view)} onClick={onClick}>
      {children}
    </a>
  );
}

/** The filters in force, each a chip whose button removes it; nothing when there are none. */
export function FilterBar({ view, onRemove }: { view: View; onRemove: (narrowing: Narrowing) => void }) {
  const barRef = useRef<HTMLDivElement>(null);
  const active = narrowingKeys.flatMap((key) => {
    const label = narrowingLabel(key, view);
    return label ? [{ key, label }] : [];
  });
  if (active.length === 0) return null;

  const remove = (key: (typeof narrowingKeys)[number], index: number) => {
    flushSync(() => onRemove({ [key]: null }));
    // The chip is gone: the keyboard user's place moves to the next chip, else the previous, else the search.
    const chips = barRef.current?.querySelectorAll<HTMLButtonElement>("button");
    const next = chips?.[Math.min(index, chips.length - 1)];
    if (next) next.focus();
    else document.getElementById("task-search")?.focus();
  };

  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of chips, not a form — a fieldset would be read as one
    <div className="filter-bar" role="group" aria-label="Active filters" ref={barRef}>
      {active.map(({ key, label }, index) => (
        <span key={key} className="chip">
          {label}
          <button
            type="button"
            className="chip-remove"
            aria-label={`Remove filter "${label}"`}
            onClick={() => remove(key, index)}
          >
            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
              <path d="M6 6l12 12M18 6L6 18" />
            </svg>
          </button>
        </span>
      ))}
    </div>
  );
}
