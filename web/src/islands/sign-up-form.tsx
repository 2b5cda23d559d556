import { type SubmitEvent, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { signUp } from "../lib/auth-client.ts";
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

interface Errors {
  name?: string;
  email?: string;
  password?: string;
}

const fields = ["name", "email", "password"] as const;

/** Better Auth's and the Worker's refusals, each in plain words next to its field. */
const serverErrors: Record<string, Errors> = {
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: { email: "An account with this email already exists" },
  USER_ALREADY_EXISTS: { email: "An account with this email already exists" },
  INVALID_EMAIL: { email: emailMessage },
  PASSWORD_TOO_SHORT: { password: "Use at least 8 characters" },
  PASSWORD_TOO_LONG: { password: "Use at most 128 characters" },
  PASSWORD_TOO_COMMON: { password: "This password is too common — pick another" },
  PASSWORD_CONTAINS_EMAIL: { password: "Don't build your password from your email address" },
};

/** Create an account; Better Auth signs the person in, and they land on their task list. */
export function SignUpForm() {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState("");
  const submitting = useRef(false);
  const refs = {
    name: useRef<HTMLInputElement>(null),
    email: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
  };
  const formErrorRef = useRef<HTMLDivElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useEarlySubmit(formRef);

  function showErrors(found: Errors) {
    flushSync(() => setErrors(found));
    const first = fields.find((field) => found[field]);
    if (first) refs[first].current?.focus();
  }

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting.current) return;
    const data = new FormData(event.currentTarget);
    const name = String(data.get("name") ?? "").trim();
    const email = String(data.get("email") ?? "").trim();
    const password = String(data.get("password") ?? "");

    const found: Errors = {};
    if (!name) found.name = "Enter your name";
    if (!emailPattern.test(email)) found.email = emailMessage;
    if (password.length < 8) found.password = "Use at least 8 characters";
    else if (password.length > 128) found.password = "Use at most 128 characters";
    setFormError("");
    if (found.name || found.email || found.password) return showErrors(found);

    submitting.current = true;
    setBusy(true);
    setErrors({});
    const result = await signUp(name, email, password);
    if (result.ok) {
      navigation.assign(safeNext(new URLSearchParams(window.location.search).get("next")));
      return;
    }
    submitting.current = false;
    setBusy(false);
    const known = serverErrors[result.error.code];
    if (known) return showErrors(known);
    flushSync(() => setFormError(describeError(result.error)));
    formErrorRef.current?.focus();
  }

  const clear = (field: keyof Errors) => () => {
    if (errors[field]) setErrors(({ [field]: _, ...rest }) => rest);
  };

  return (
    <form ref={formRef} className="card" method="post" noValidate data-island-form onSubmit={onSubmit}>
      <FormAlert message={formError} alertRef={formErrorRef} />
      <FormField
        label="Name"
        name="name"
        autoComplete="name"
        required
        maxLength={100}
        error={errors.name}
        inputRef={refs.name}
        onInput={clear("name")}
      />
      <EmailField error={errors.email} inputRef={refs.email} onInput={clear("email")} />
      <FormField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        hint="At least 8 characters. A long phrase is easy to remember and hard to guess."
        required
        minLength={8}
        error={errors.password}
        inputRef={refs.password}
        onInput={clear("password")}
      />
      <SubmitButton label="Create account" busy={busy} />
      <p className="visually-hidden" role="status">
        {busy ? "Creating your account…" : ""}
      </p>
    </form>
  );
}
