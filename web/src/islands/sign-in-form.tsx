import { type SubmitEvent, useEffect, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { signIn } from "../lib/auth-client.ts";
import { navigation, safeNext } from "../lib/navigation.ts";
import { describeError } from "../lib/problems.ts";
import { EmailField, emailMessage, emailPattern, FormField, SubmitButton, useEarlySubmit } from "./form-field.tsx";

interface Errors {
  email?: string;
  password?: string;
}

export const sessionEndedMessage = "Your session has ended — please sign in again";

/** Sign in with email and password, then back to where the person was (`?next=`). */
export function SignInForm() {
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
    if (result.ok) {
      // Stay busy: the page is about to change.
      navigation.assign(safeNext(new URLSearchParams(window.location.search).get("next")));
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
      <div className="form-alert" role="alert" tabIndex={-1} ref={formErrorRef}>
        {formError}
      </div>
      <EmailField error={errors.email} inputRef={emailRef} onInput={clear("email")} />
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
    </form>
  );
}
