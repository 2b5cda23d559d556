import { type InputHTMLAttributes, type Ref, type RefObject, useEffect, useId } from "react";

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "aria-invalid" | "aria-describedby">;

interface FormFieldProps extends InputProps {
  label: string;
  /** Shown under the label and read with the field, e.g. "At least 8 characters". */
  hint?: string | undefined;
  /** This field's own error, in plain words; it is tied to the field for screen readers. */
  error?: string | undefined;
  inputRef?: Ref<HTMLInputElement>;
}

/** A labelled input with its hint and its error next to it (aria-describedby, aria-invalid). */
export function FormField({ label, hint, error, inputRef, ...input }: FormFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      <input
        {...input}
        id={id}
        ref={inputRef}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** The email field of the sign-in and sign-up forms. */
export function EmailField(props: Pick<FormFieldProps, "error" | "inputRef" | "onInput" | "autoComplete">) {
  return (
    <FormField
      label="Email"
      name="email"
      type="email"
      autoComplete="email"
      inputMode="email"
      spellCheck={false}
      required
      {...props}
    />
  );
}

/**
 * The form's own error (not one field's), announced when it appears. With `alertRef` it can take focus,
 * for forms that move the reader to it.
 */
export function FormAlert({ message, alertRef }: { message: string; alertRef?: Ref<HTMLDivElement> }) {
  return (
    <div className="form-alert" role="alert" {...(alertRef ? { tabIndex: -1, ref: alertRef } : {})}>
      {message}
    </div>
  );
}

/** A submit button that shows progress while keeping its name, so it is found by the same words. */
export function SubmitButton({ label, busy }: { label: string; busy: boolean }) {
  return (
    <button type="submit" className="btn btn-primary btn-block" disabled={busy} aria-busy={busy || undefined}>
      {busy && <span className="spinner" aria-hidden="true" />}
      {label}
    </button>
  );
}

/**
 * Marks a form (rendered with `data-island-form`) as ready and replays a submission the
 * page's EarlySubmitGuard held while the island was still loading.
 */
export function useEarlySubmit(form: RefObject<HTMLFormElement | null>): void {
  useEffect(() => {
    const element = form.current;
    if (!element) return;
    element.setAttribute("data-ready", "");
    if (element.hasAttribute("data-pending")) {
      element.removeAttribute("data-pending");
      element.requestSubmit();
    }
  }, [form]);
}

export const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const emailMessage = "Enter an email address like name@example.com";
