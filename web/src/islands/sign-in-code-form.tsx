import { type SubmitEvent, useEffect, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { verifySignInCode } from "../lib/auth-client.ts";
import { describeError } from "../lib/problems.ts";
import { FormAlert, FormField, SubmitButton } from "./form-field.tsx";

/**
 * The second step of signing in when two-factor is on: the six-digit code from the
 * authenticator app, or one of the backup codes, and whether to trust this device.
 */
export function SignInCodeForm({ onSignedIn }: { onSignedIn: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState("");
  const codeRef = useRef<HTMLInputElement>(null);
  const formErrorRef = useRef<HTMLDivElement>(null);
  const submitting = useRef(false);

  useEffect(() => codeRef.current?.focus(), []);

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting.current) return;
    const data = new FormData(event.currentTarget);
    const code = String(data.get("code") ?? "").replace(/\s+/g, "");
    setFormError("");
    if (!code) {
      flushSync(() => setError("Enter the code from your authenticator app, or a backup code"));
      codeRef.current?.focus();
      return;
    }
    submitting.current = true;
    setBusy(true);
    setError(undefined);
    const result = await verifySignInCode(code, data.get("trustDevice") === "on");
    if (result.ok) return onSignedIn();
    submitting.current = false;
    setBusy(false);
    const { code: reason, status } = result.error;
    if (reason === "INVALID_CODE" || reason === "INVALID_BACKUP_CODE") {
      flushSync(() => setError("That code is not right — check your app and try again"));
      codeRef.current?.focus();
    } else if (reason === "INVALID_TWO_FACTOR_COOKIE" || reason === "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE") {
      flushSync(() => setFormError("This sign-in has expired — reload the page and sign in again"));
      formErrorRef.current?.focus();
    } else if (status === 429 && reason === "ACCOUNT_TEMPORARILY_LOCKED") {
      flushSync(() => setFormError("Too many wrong codes — two-factor sign-in is locked for 15 minutes"));
      formErrorRef.current?.focus();
    } else {
      flushSync(() => setFormError(describeError(result.error)));
      formErrorRef.current?.focus();
    }
  }

  return (
    <form className="card" method="post" noValidate onSubmit={onSubmit} aria-labelledby="two-factor-step">
      <h2 id="two-factor-step">Two-factor authentication</h2>
      <p>Enter the 6-digit code your authenticator app shows for Brisk, or one of your backup codes.</p>
      <FormAlert message={formError} alertRef={formErrorRef} />
      <FormField
        label="Authentication code"
        name="code"
        type="text"
        autoComplete="one-time-code"
        spellCheck={false}
        autoCapitalize="off"
        maxLength={32}
        required
        error={error}
        inputRef={codeRef}
      />
      <label className="check">
        <input type="checkbox" name="trustDevice" /> Trust this device for 30 days
      </label>
      <SubmitButton label="Verify" busy={busy} />
      <p className="visually-hidden" role="status">
        {busy ? "Checking the code…" : ""}
      </p>
    </form>
  );
}
