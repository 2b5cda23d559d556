import { useEffect, useState } from "react";
import { describeError } from "../lib/problems.ts";
import { getSessionUser, type SessionUser } from "../lib/session-user.ts";

/**
 * A calm banner on signed-in pages while the address is unconfirmed, with Send again.
 * Better Auth's client loads only when the button is pressed, to keep pages light.
 */
export function VerifyBanner() {
  const [user, setUser] = useState<SessionUser | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");

  useEffect(() => {
    // A page opened offline asks once the browser is back online (the same request as the header's, or none).
    const load = () => void getSessionUser().then(setUser, () => {});
    load();
    window.addEventListener("online", load);
    return () => window.removeEventListener("online", load);
  }, []);

  if (!user || user.emailVerified) return null;

  async function sendAgain() {
    if (!user) return;
    setBusy(true);
    setMessage("");
    const { sendVerificationEmail } = await import("../lib/account-client.ts");
    const result = await sendVerificationEmail(user.email);
    setBusy(false);
    setMessage(result.ok ? `Sent. Check ${user.email} for the link.` : describeError(result.error));
  }

  return (
    <section className="verify-banner" aria-label="Confirm your email address">
      <p>
        {/* On a phone only "Confirm your email." shows, on one line with the button, so the first task stays on screen. */}
        Confirm your email
        <span className="verify-banner-detail">
          {" "}
          address, <strong>{user.email}</strong>, from the mail we sent you
        </span>
        .
      </p>
      <button type="button" className="btn btn-small" onClick={sendAgain} disabled={busy} aria-busy={busy || undefined}>
        {busy && <span className="spinner" aria-hidden="true" />}
        Send again
      </button>
      <p role="status" className="verify-banner-status">
        {message}
      </p>
    </section>
  );
}
