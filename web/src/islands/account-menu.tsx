import { useEffect, useState } from "react";
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
    // The account page changed the name: show the new one.
    const onProfileChanged = () => check(true);
    check(false);
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener(profileChangedEvent, onProfileChanged);
    return () => {
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener(profileChangedEvent, onProfileChanged);
    };
  }, []);

  async function onSignOut() {
    setSigningOut(true);
    const { signOut } = await import("../lib/auth-client.ts");
    await signOut();
    navigation.assign("/sign-in");
  }

  return (
    <div className="account-menu">
      <span className="user-name">
        {user && <span className="visually-hidden">Signed in as </span>}
        {user?.name}
      </span>
      <button
        type="button"
        className="btn btn-small"
        onClick={() => void onSignOut()}
        disabled={!ready || signingOut}
        aria-busy={signingOut || undefined}
      >
        Sign out
      </button>
    </div>
  );
}
