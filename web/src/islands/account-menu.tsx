import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { endSession } from "../lib/api-client.ts";
import { navigation, rememberSignedIn } from "../lib/navigation.ts";
import { getSessionUser, type SessionUser } from "../lib/session-user.ts";

/** Dispatched on `window` when the person's name or email changed on this page. */
export const profileChangedEvent = "brisk:profile-changed";

/** A tab coming back into view re-checks its session, at most this often. */
const recheckAfterMs = 30_000;

/**
 * The signed-in header: the person's name and Sign out. It also guards the page: with no
 * session (never signed in, or signed out elsewhere) it sends the person to sign in.
 * Better Auth's client is loaded only when Sign out is pressed, to keep pages light.
 */
export function AccountMenu() {
  const [user, setUser] = useState<SessionUser | null>(null);
  const [ready, setReady] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  /** Changes not yet on the server when Sign out was pressed: the person is asked first. */
  const [unsent, setUnsent] = useState(0);
  const signOutRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    setReady(true);
    let hadSession = false;
    let checkedAt = 0;
    const check = (fresh: boolean) => {
      checkedAt = Date.now();
      getSessionUser(fresh).then(
        (found) => {
          if (found) {
            hadSession = true;
            setUser(found);
            rememberSignedIn();
          } else {
            endSession({ hadSession });
          }
        },
        () => {
          // Offline or the server is busy: keep the page; the next check decides.
        },
      );
    };
    const onVisible = () => {
      if (document.visibilityState === "visible" && Date.now() - checkedAt > recheckAfterMs) check(true);
    };
    // The account page changed the name, or the page opened offline is back online: ask again.
    const onChanged = () => check(true);
    check(false);
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener(profileChangedEvent, onChanged);
    window.addEventListener("online", onChanged);
    return () => {
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener(profileChangedEvent, onChanged);
      window.removeEventListener("online", onChanged);
    };
  }, []);

  /**
   * Changes not yet on the server would be deleted with the rest of the person's data in this
   * browser: they get a moment to be sent, and if some still wait, the person is asked first.
   */
  async function onSignOut(anyway = false) {
    setSigningOut(true);
    setUnsent(0);
    const { signOut, unsentChanges } = await import("../lib/auth-client.ts");
    if (!anyway) {
      const count = await unsentChanges();
      if (count > 0) {
        setSigningOut(false);
        setUnsent(count);
        return;
      }
    }
    await signOut();
    navigation.assign("/sign-in");
  }

  const cancelSignOut = () => {
    flushSync(() => setUnsent(0));
    signOutRef.current?.focus();
  };

  return (
    <div className="account-menu">
      <span className="user-name">
        {user && <span className="visually-hidden">Signed in as </span>}
        {user?.name}
      </span>
      <button
        ref={signOutRef}
        type="button"
        className="btn btn-small"
        onClick={() => void onSignOut()}
        disabled={!ready || signingOut}
        aria-busy={signingOut || undefined}
      >
        Sign out
      </button>
      {unsent > 0 && (
        // Asked before unsent changes are deleted with the rest of the person's data in this browser.
        <ConfirmDialog
          className="confirm-sign-out"
          question={<strong>{unsent === 1 ? "1 change" : `${unsent} changes`} not yet saved — sign out anyway?</strong>}
          description="They could not reach the server yet. Signing out deletes them from this browser."
          onCancel={cancelSignOut}
        >
          <button type="button" className="btn btn-small btn-danger" onClick={() => void onSignOut(true)}>
            Sign out anyway
          </button>
        </ConfirmDialog>
      )}
    </div>
  );
}

/**
 * A question asked in place before something that is hard to take back (a bulk action, deleting a
 * task or a list, signing out with changes unsent): an alert dialog named by its question and
 * described by its reason, its first action focused. Escape or Cancel answers no; Escape goes no
 * further, so the page's own Escape (leaving an editor) does not also run.
 *
 * It lives in the header's module because every page that asks a confirmation carries the header:
 * a module of its own was one more script file on /tasks and /account, and more bytes (measured).
 */
export function ConfirmDialog({
  className,
  question,
  description,
  cancelLabel = "Cancel",
  onCancel,
  children,
}: {
  /** Classes besides `confirm`. */
  className?: string;
  question: ReactNode;
  description?: ReactNode;
  cancelLabel?: string;
  onCancel: () => void;
  /** The actions, each a button; the first is focused when the question appears. */
  children: ReactNode;
}) {
  const id = useId();
  const dialogRef = useRef<HTMLDivElement>(null);
  useEffect(() => dialogRef.current?.querySelector("button")?.focus(), []);
  return (
    <div
      ref={dialogRef}
      className={`confirm ${className ?? ""}`.trim()}
      role="alertdialog"
      aria-labelledby={`${id}-question`}
      aria-describedby={description ? `${id}-why` : undefined}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.stopPropagation();
          onCancel();
        }
      }}
    >
      <p id={`${id}-question`}>{question}</p>
      {description && <p id={`${id}-why`}>{description}</p>}
      <div className="button-row">
        {children}
        <button type="button" className="btn btn-small" onClick={onCancel}>
          {cancelLabel}
        </button>
      </div>
    </div>
  );
}
