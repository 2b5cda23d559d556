import { type SubmitEvent, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { requestPasswordReset } from "../lib/account-client.ts";
import { describeError } from "../lib/problems.ts";
import { EmailField, emailMessage, emailPattern, FormAlert, SubmitButton, useEarlySubmit } from "./form-field.tsx";

/** The confirmation, the same whether or not the address has an account. */
export const resetLinkSent =
  "If an account uses that address, a link to set a new password is on its way. It works once, for 30 minutes.";

/** Asks for a password-reset link (/forgot-password). */
export function ForgotPasswordForm() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState("");
  const [sent, setSent] = useState("");
  const submitting = useRef(false);
  const emailRef = useRef<HTMLInputElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useEarlySubmit(formRef);

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting.current) return;
    const email = String(new FormData(event.currentTarget).get("email") ?? "").trim();
    setFormError("");
    setSent("");
    if (!emailPattern.test(email)) {
      flushSync(() => setError(emailMessage));
      emailRef.current?.focus();
      return;
    }
    submitting.current = true;
    setBusy(true);
    setError(undefined);
    const result = await requestPasswordReset(email);
    submitting.current = false;
    setBusy(false);
    if (result.ok) setSent(resetLinkSent);
    else setFormError(describeError(result.error));
  }

  return (
    <form ref={formRef} className="card" method="post" noValidate data-island-form onSubmit={onSubmit}>
      <div className="notice" role="status">
        {sent}
      </div>
      <FormAlert message={formError} />
      <EmailField error={error} inputRef={emailRef} onInput={() => setError(undefined)} />
      <SubmitButton label="Send reset link" busy={busy} />
    </form>
  );
}
