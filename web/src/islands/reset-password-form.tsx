import { type SubmitEvent, useEffect, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { resetPassword } from "../lib/account-client.ts";
import { navigation } from "../lib/navigation.ts";
import { describeError } from "../lib/problems.ts";
import { FormAlert, FormField, SubmitButton, useEarlySubmit } from "./form-field.tsx";
import { passwordMessages } from "./password-messages.ts";

/** Sets a new password from the mailed link (/reset-password?token=…), then opens the tasks. */
export function ResetPasswordForm() {
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState("");
  const [linkDead, setLinkDead] = useState(false);
  const submitting = useRef(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useEarlySubmit(formRef);

  useEffect(() => {
    const found = new URLSearchParams(window.location.search).get("token");
    setToken(found);
    if (!found) setLinkDead(true);
  }, []);

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting.current || !token) return;
    const password = String(new FormData(event.currentTarget).get("newPassword") ?? "");
    setFormError("");
    const tooShort = password.length < 8 ? passwordMessages.PASSWORD_TOO_SHORT : undefined;
    const tooLong = password.length > 128 ? passwordMessages.PASSWORD_TOO_LONG : undefined;
    if (tooShort || tooLong) {
      flushSync(() => setError(tooShort ?? tooLong));
      passwordRef.current?.focus();
      return;
    }
    submitting.current = true;
    setBusy(true);
    setError(undefined);
    const result = await resetPassword(token, password);
    if (result.ok) {
      navigation.assign("/tasks");
      return;
    }
    submitting.current = false;
    setBusy(false);
    const { code } = result.error;
    if (code === "INVALID_TOKEN") setLinkDead(true);
    else if (code in passwordMessages) {
      flushSync(() => setError(passwordMessages[code]));
      passwordRef.current?.focus();
    } else setFormError(describeError(result.error));
  }

  if (linkDead) {
    return (
      <div className="card" role="alert">
        <p>This link has expired or has already been used. Links to set a new password work once, for 30 minutes.</p>
        <a className="btn btn-primary btn-block" href="/forgot-password">
          Send a new link
        </a>
      </div>
    );
  }

  return (
    <form ref={formRef} className="card" method="post" noValidate data-island-form onSubmit={onSubmit}>
      <FormAlert message={formError} />
      <FormField
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        hint="At least 8 characters. Every other device will be signed out."
        required
        error={error}
        inputRef={passwordRef}
        onInput={() => setError(undefined)}
      />
      <SubmitButton label="Set new password" busy={busy || token === undefined} />
    </form>
  );
}
