import { type SubmitEvent, useEffect, useId, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { changePassword, deleteAccount } from "../lib/auth-client.ts";
import { navigation } from "../lib/navigation.ts";
import { describeError } from "../lib/problems.ts";
import { FormAlert, FormField, SubmitButton } from "./form-field.tsx";
import { PasskeysPanel } from "./passkeys-panel.tsx";
import { passwordMessages as passwordErrors } from "./password-messages.ts";
import { TwoFactorPanel } from "./two-factor-panel.tsx";

/** The account page's password and deletion sections (details and devices are their own islands). */
export function AccountPanel() {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    setReady(true);
  }, []);

  return (
    <>
      <ChangePassword ready={ready} />
      <TwoFactorPanel />
      <PasskeysPanel />
      <DeleteAccount ready={ready} />
    </>
  );
}

function ChangePassword({ ready }: { ready: boolean }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ current?: string; next?: string }>({});
  const [formError, setFormError] = useState("");
  const [done, setDone] = useState("");
  const currentRef = useRef<HTMLInputElement>(null);
  const nextRef = useRef<HTMLInputElement>(null);
  const submitting = useRef(false);
  const formId = useId();

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting.current) return;
    const form = event.currentTarget;
    const data = new FormData(form);
    const current = String(data.get("currentPassword") ?? "");
    const next = String(data.get("newPassword") ?? "");
    const found: { current?: string; next?: string } = {};
    if (!current) found.current = "Enter your current password";
    if (next.length < 8) found.next = "Use at least 8 characters";
    else if (next.length > 128) found.next = "Use at most 128 characters";
    setFormError("");
    setDone("");
    if (found.current || found.next) {
      flushSync(() => setErrors(found));
      (found.current ? currentRef : nextRef).current?.focus();
      return;
    }
    submitting.current = true;
    setBusy(true);
    setErrors({});
    const result = await changePassword(current, next, data.get("revokeOtherSessions") === "on");
    submitting.current = false;
    setBusy(false);
    if (result.ok) {
      form.reset();
      setDone("Your password has been changed.");
      return;
    }
    const { code } = result.error;
    if (code === "INVALID_PASSWORD") {
      flushSync(() => setErrors({ current: "Your current password is incorrect" }));
      currentRef.current?.focus();
    } else if (code in passwordErrors) {
      flushSync(() => setErrors({ next: passwordErrors[code] ?? "" }));
      nextRef.current?.focus();
    } else {
      setFormError(describeError(result.error));
    }
  }

  return (
    <section className="card">
      <h2 id="password-title">Password</h2>
      <p role="status" className="notice">
        {done}
      </p>
      {!open ? (
        <button
          type="button"
          className="btn"
          aria-expanded="false"
          aria-controls={formId}
          disabled={!ready}
          onClick={() => {
            flushSync(() => {
              setOpen(true);
              setDone("");
            });
            currentRef.current?.focus();
          }}
        >
          Change password
        </button>
      ) : (
        <form id={formId} method="post" noValidate onSubmit={onSubmit}>
          <FormAlert message={formError} />
          <FormField
            label="Current password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            error={errors.current}
            inputRef={currentRef}
          />
          <FormField
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            hint="At least 8 characters."
            error={errors.next}
            inputRef={nextRef}
          />
          <label className="check">
            <input type="checkbox" name="revokeOtherSessions" /> Sign out my other devices
          </label>
          <div className="button-row">
            <SubmitButton label="Save new password" busy={busy} />
            <button type="button" className="btn" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function DeleteAccount({ ready }: { ready: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState("");
  const passwordRef = useRef<HTMLInputElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  const submitting = useRef(false);

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting.current) return;
    const password = String(new FormData(event.currentTarget).get("password") ?? "");
    setFormError("");
    if (!password) {
      flushSync(() => setError("Enter your password to confirm"));
      passwordRef.current?.focus();
      return;
    }
    submitting.current = true;
    setBusy(true);
    setError(undefined);
    const result = await deleteAccount(password);
    if (result.ok) {
      navigation.assign("/");
      return;
    }
    submitting.current = false;
    setBusy(false);
    if (result.error.code === "INVALID_PASSWORD") {
      flushSync(() => setError("That password is incorrect"));
      passwordRef.current?.focus();
    } else {
      setFormError(describeError(result.error));
    }
  }

  function cancel() {
    flushSync(() => {
      setConfirming(false);
      setError(undefined);
      setFormError("");
    });
    openerRef.current?.focus();
  }

  return (
    <section className="card danger-zone">
      <h2 id="delete-title">Delete account</h2>
      <p>This removes your account and every task in it, for good. It cannot be undone.</p>
      {!confirming ? (
        <button
          type="button"
          ref={openerRef}
          className="btn btn-danger"
          disabled={!ready}
          onClick={() => {
            flushSync(() => setConfirming(true));
            passwordRef.current?.focus();
          }}
        >
          Delete account
        </button>
      ) : (
        <form
          method="post"
          noValidate
          onSubmit={onSubmit}
          onKeyDown={(event) => {
            if (event.key === "Escape") cancel();
          }}
        >
          <p className="label">Enter your password to delete your account and all your tasks.</p>
          <FormAlert message={formError} />
          <FormField
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            error={error}
            inputRef={passwordRef}
          />
          <div className="button-row">
            <button type="submit" className="btn btn-danger" disabled={busy} aria-busy={busy || undefined}>
              {busy && <span className="spinner" aria-hidden="true" />}
              Delete account
            </button>
            <button type="button" className="btn" onClick={cancel}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
