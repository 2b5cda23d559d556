import { useEffect, useState } from "react";
import { sendVerificationEmail, verifyEmail } from "../lib/account-client.ts";
import { describeError } from "../lib/problems.ts";
import { getSessionUser } from "../lib/session-user.ts";

type State = "checking" | "verified" | "expired" | "sending" | "sent" | "failed";

/** Confirms the address from the mailed link (/verify-email?token=…); a dead link offers a new one. */
export function VerifyEmailStatus() {
  const [state, setState] = useState<State>("checking");
  const [message, setMessage] = useState("");

  useEffect(() => {
    const token = new URLSearchParams(window.location.search).get("token");
    if (!token) {
      setState("expired");
      return;
    }
    verifyEmail(token).then((result) => setState(result.ok ? "verified" : "expired"));
  }, []);

  async function sendAgain() {
    setState("sending");
    const user = await getSessionUser().catch(() => null);
    if (!user) {
      setState("failed");
      setMessage("Sign in first, then choose Send again on the banner at the top of the page.");
      return;
    }
    const result = await sendVerificationEmail(user.email);
    setState(result.ok ? "sent" : "failed");
    setMessage(result.ok ? `A new link is on its way to ${user.email}.` : describeError(result.error));
  }

  return (
    <div className="card" aria-busy={state === "checking" || state === "sending" || undefined}>
      {state === "checking" && <p role="status">Confirming your email address…</p>}
      {state === "verified" && (
        <div role="status">
          <p>Your email address is confirmed. Thank you.</p>
          <a className="btn btn-primary btn-block" href="/tasks">
            Go to your tasks
          </a>
        </div>
      )}
      {(state === "expired" || state === "sending") && (
        <div role="alert">
          <p>This link has expired or is not valid any more. Links to confirm an address work for 24 hours.</p>
          <button
            type="button"
            className="btn btn-primary btn-block"
            onClick={sendAgain}
            disabled={state === "sending"}
          >
            Send again
          </button>
        </div>
      )}
      {(state === "sent" || state === "failed") && <p role="status">{message}</p>}
    </div>
  );
}
