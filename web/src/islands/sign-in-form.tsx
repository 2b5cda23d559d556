import { type SubmitEvent, useEffect, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { signIn, signInWithPasskey } from "../lib/auth-client.ts";
import { navigation, safeNext } from "../lib/navigation.ts";
import { describeError } from "../lib/problems.ts";
import {
  EmailField,
  emailMessage,
  emailPattern,
  FormAlert,
  FormField,
  SubmitButton,
  useEarlySubmit,
} from "./form-field.tsx";
import { SignInCodeForm } from "./sign-in-code-form.tsx";

interface Errors {
  email?: string;
  password?: string;
}

export const sessionEndedMessage = "Your session has ended — please sign in again";

function goBack() {
  navigation.assign(safeNext(new URLSearchParams(window.location.search).get("next")));
}

/**
 * Sign in with email and password (then, with two-factor on, a code), or with a
 * passkey — from the button, or picked from the email field's suggestions where the
 * browser offers passkeys there (conditional UI) — then back to where the person was.
 */
export function SignInForm() {
  const [needsCode, setNeedsCode] = useState(false);
  if (needsCode) return <SignInCodeForm onSignedIn={goBack} />;
  return <PasswordStep onNeedsCode={() => setNeedsCode(true)} />;
}

function PasswordStep({ onNeedsCode }: { onNeedsCode: () => void }) {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState("");
  const [notice, setNotice] = useState("");
  const submitting = useRef(false);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const formErrorRef = useRef<HTMLDivElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useEarlySubmit(formRef);

  useEffect(() => {
    if (new URLSearchParams(window.location.search).get("reason") === "session-ended") setNotice(sessionEndedMessage);
  }, []);
  usePasskeyAutofill();

  function showErrors(found: Errors) {
    flushSync(() => setErrors(found));
    (found.email ? emailRef : passwordRef).current?.focus();
  }

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting.current) return;
    const data = new FormData(event.currentTarget);
    const email = String(data.get("email") ?? "").trim();
    const password = String(data.get("password") ?? "");

    const found: Errors = {};
    if (!emailPattern.test(email)) found.email = emailMessage;
    if (!password) found.password = "Enter your password";
    setFormError("");
    if (found.email || found.password) return showErrors(found);

    submitting.current = true;
    setBusy(true);
    setErrors({});
    const result = await signIn(email, password);
    if (result.ok && result.needsCode) {
      submitting.current = false;
      onNeedsCode();
      return;
    }
    if (result.ok) {
      // Stay busy: the page is about to change.
      goBack();
      return;
    }
    submitting.current = false;
    setBusy(false);
    const { error } = result;
    if (error.code === "INVALID_EMAIL_OR_PASSWORD" || error.status === 401) {
      showErrors({ password: "Email or password is incorrect" });
    } else if (error.code === "INVALID_EMAIL") {
      showErrors({ email: emailMessage });
    } else {
      flushSync(() => setFormError(describeError(error)));
      formErrorRef.current?.focus();
    }
  }

  const clear = (field: keyof Errors) => () => {
    if (errors[field]) setErrors(({ [field]: _, ...rest }) => rest);
  };

  return (
    <form
      ref={formRef}
      className="card"
      method="post"
      noValidate
      data-island-form
      onSubmit={onSubmit}
      aria-describedby="sign-in-notice"
    >
      <div id="sign-in-notice" className="notice" role="status">
        {notice}
      </div>
      <FormAlert message={formError} alertRef={formErrorRef} />
      <EmailField
        error={errors.email}
        inputRef={emailRef}
        onInput={clear("email")}
        // The browser may offer this account's passkeys among the suggestions (conditional UI).
        autoComplete="username webauthn"
      />
      <FormField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={errors.password}
        inputRef={passwordRef}
        onInput={clear("password")}
      />
      <SubmitButton label="Sign in" busy={busy} />
      <p className="visually-hidden" role="status">
        {busy ? "Signing in…" : ""}
      </p>
      <PasskeyButton onError={(message) => setFormError(message)} />
    </form>
  );
}

/** "Sign in with a passkey": the browser lists the passkeys it holds for this site. */
function PasskeyButton({ onError }: { onError: (message: string) => void }) {
  const [busy, setBusy] = useState(false);
  async function onClick() {
    setBusy(true);
    onError("");
    const result = await signInWithPasskey();
    if (result.ok) return goBack();
    setBusy(false);
    // Closing the browser's dialog is a change of mind, not an error.
    if (result.error.code === "ERROR_CEREMONY_ABORTED" || result.error.code === "AUTH_CANCELLED") return;
    onError(
      result.error.status === 401
        ? "That passkey is not known here — sign in with your password"
        : describeError(result.error),
    );
  }
  return (
    <button type="button" className="btn btn-block" onClick={onClick} disabled={busy} aria-busy={busy || undefined}>
      {busy && <span className="spinner" aria-hidden="true" />}
      Sign in with a passkey
    </button>
  );
}

/** Where the browser supports it, a passkey picked from the email field's suggestions signs in at once. */
function usePasskeyAutofill() {
  useEffect(() => {
    let active = true;
    const credential = typeof window === "undefined" ? undefined : window.PublicKeyCredential;
    if (!credential?.isConditionalMediationAvailable) return;
    credential
      .isConditionalMediationAvailable()
      .then(async (available) => {
        if (!available || !active) return;
        const result = await signInWithPasskey(true);
        if (result.ok && active) goBack();
      })
      .catch(() => {});
    return () => {
      active = false;
    };
  }, []);
}
