import { type RefObject, type SubmitEvent, useEffect, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { confirmTwoFactor, disableTwoFactor, startTwoFactor, type TwoFactorSetup } from "../lib/account-security.ts";
import { type ApiError, describeError } from "../lib/problems.ts";
import { getSessionUser } from "../lib/session-user.ts";
import { FormAlert, FormField, SubmitButton } from "./form-field.tsx";

type Step =
  | { name: "loading" }
  | { name: "off" }
  | { name: "password" }
  | { name: "scan"; setup: TwoFactorSetup }
  | { name: "backup-codes"; codes: string[] }
  | { name: "on" }
  | { name: "turn-off" };

/**
 * "Two-factor authentication" on the account page: turn it on with the password, a
 * QR code (or the key as text) and a code from the app; the backup codes are shown
 * once, to copy or download; turning it off takes the password.
 */
export function TwoFactorPanel() {
  const [step, setStep] = useState<Step>({ name: "loading" });
  const [notice, setNotice] = useState("");
  const openerRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    getSessionUser().then(
      (user) => setStep(user?.twoFactorEnabled ? { name: "on" } : { name: "off" }),
      () => setStep({ name: "off" }),
    );
  }, []);

  function open(to: Step) {
    setNotice("");
    setStep(to);
  }

  function back(to: Step, message = "") {
    flushSync(() => {
      setStep(to);
      setNotice(message);
    });
    openerRef.current?.focus();
  }

  return (
    <section className="card" aria-labelledby="two-factor-title">
      <h2 id="two-factor-title">Two-factor authentication</h2>
      <p role="status" className="notice">
        {notice}
      </p>
      {step.name === "loading" && <p aria-busy="true">…</p>}
      {step.name === "off" && (
        <StateAndAction
          state="Off. Turn it on to ask for a code from an authenticator app after your password."
          action="Turn on two-factor authentication"
          buttonRef={openerRef}
          onAction={() => open({ name: "password" })}
        />
      )}
      {step.name === "password" && (
        <PasswordForm
          intro="Enter your password to set up two-factor authentication."
          submitLabel="Continue"
          onCancel={() => back({ name: "off" })}
          onSubmit={async (password) => {
            const result = await startTwoFactor(password);
            if (result.ok) setStep({ name: "scan", setup: result.value });
            return result;
          }}
        />
      )}
      {step.name === "scan" && (
        <ScanStep
          setup={step.setup}
          onCancel={() => back({ name: "off" })}
          onConfirmed={() => setStep({ name: "backup-codes", codes: step.setup.backupCodes })}
        />
      )}
      {step.name === "backup-codes" && (
        <BackupCodes codes={step.codes} onDone={() => back({ name: "on" }, "Two-factor authentication is on.")} />
      )}
      {step.name === "on" && (
        <StateAndAction
          state="On. Signing in asks for a code from your authenticator app, or one of your backup codes."
          action="Turn off two-factor authentication"
          buttonRef={openerRef}
          onAction={() => open({ name: "turn-off" })}
        />
      )}
      {step.name === "turn-off" && (
        <PasswordForm
          intro="Enter your password to turn two-factor authentication off."
          submitLabel="Turn off"
          onCancel={() => back({ name: "on" })}
          onSubmit={async (password) => {
            const result = await disableTwoFactor(password);
            if (result.ok) back({ name: "off" }, "Two-factor authentication is off.");
            return result;
          }}
        />
      )}
    </section>
  );
}

/** Where two-factor authentication stands, and the one button that changes it (focus returns to it). */
function StateAndAction({
  state,
  action,
  buttonRef,
  onAction,
}: {
  state: string;
  action: string;
  buttonRef: RefObject<HTMLButtonElement | null>;
  onAction: () => void;
}) {
  return (
    <>
      <p>{state}</p>
      <button type="button" className="btn" ref={buttonRef} onClick={onAction}>
        {action}
      </button>
    </>
  );
}

interface PasswordFormProps {
  intro: string;
  submitLabel: string;
  onCancel: () => void;
  onSubmit: (password: string) => Promise<{ ok: true } | { ok: false; error: ApiError }>;
}

function PasswordForm({ intro, submitLabel, onCancel, onSubmit }: PasswordFormProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState("");
  const passwordRef = useRef<HTMLInputElement>(null);

  useEffect(() => passwordRef.current?.focus(), []);

  async function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const password = String(new FormData(event.currentTarget).get("password") ?? "");
    setFormError("");
    if (!password) {
      flushSync(() => setError("Enter your password"));
      passwordRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    const result = await onSubmit(password);
    setBusy(false);
    if (result.ok) return;
    if (result.error.code === "INVALID_PASSWORD") {
      flushSync(() => setError("That password is incorrect"));
      passwordRef.current?.focus();
    } else {
      setFormError(describeError(result.error));
    }
  }

  return (
    <form method="post" noValidate onSubmit={submit}>
      <p className="label">{intro}</p>
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
        <SubmitButton label={submitLabel} busy={busy} />
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The QR code (drawn by uqr, loaded only now), the key as text, and the code check. */
function ScanStep({
  setup,
  onCancel,
  onConfirmed,
}: {
  setup: TwoFactorSetup;
  onCancel: () => void;
  onConfirmed: () => void;
}) {
  const [qr, setQr] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState("");
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let active = true;
    import("uqr")
      .then(({ renderSVG }) => {
        if (active) setQr(renderSVG(setup.totpURI, { pixelSize: 5, border: 2 }));
      })
      .catch(() => {});
    return () => {
      active = false;
    };
  }, [setup.totpURI]);

  async function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const code = String(new FormData(event.currentTarget).get("code") ?? "").replace(/\s+/g, "");
    setFormError("");
    if (!/^\d{6}$/.test(code)) {
      flushSync(() => setError("Enter the 6-digit code your app shows"));
      codeRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    const result = await confirmTwoFactor(code);
    setBusy(false);
    if (result.ok) return onConfirmed();
    if (result.error.code === "INVALID_CODE") {
      flushSync(() => setError("That code is not right — check the time on your device and try again"));
      codeRef.current?.focus();
    } else {
      setFormError(describeError(result.error));
    }
  }

  return (
    <form method="post" noValidate onSubmit={submit}>
      <p>Scan this QR code with your authenticator app, then enter the code it shows.</p>
      <div
        className="qr-code"
        role="img"
        aria-label="QR code for your authenticator app"
        // uqr's output: an SVG of rectangles drawn from the URI, nothing from elsewhere.
        // biome-ignore lint/security/noDangerouslySetInnerHtml: generated locally by uqr from our own URI
        dangerouslySetInnerHTML={{ __html: qr }}
      />
      <p>
        Can't scan it? Enter this key in the app:{" "}
        <code className="secret" data-testid="totp-secret">
          {setup.secret.replace(/(.{4})/g, "$1 ").trim()}
        </code>
      </p>
      <FormAlert message={formError} />
      <FormField
        label="Code from the app"
        name="code"
        type="text"
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={8}
        error={error}
        inputRef={codeRef}
      />
      <div className="button-row">
        <SubmitButton label="Turn on" busy={busy} />
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Shown once: each code signs in once when the authenticator app is not at hand. */
function BackupCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [href, setHref] = useState("");

  useEffect(() => {
    headingRef.current?.focus();
    const text = [
      "Brisk backup codes",
      "",
      "Each code signs you in once, instead of a code from your authenticator app.",
      "Keep them somewhere safe.",
      "",
      ...codes,
      "",
    ].join("\n");
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [codes]);

  return (
    <div>
      <h3 ref={headingRef} tabIndex={-1}>
        Save your backup codes
      </h3>
      <p>
        Two-factor authentication is on. If you lose your authenticator app, each of these codes signs you in once. They
        are shown only now.
      </p>
      <ul className="backup-codes" aria-label="Backup codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div className="button-row">
        <a className="btn" href={href} download="brisk-backup-codes.txt">
          Download backup codes
        </a>
        <button type="button" className="btn btn-primary" onClick={onDone}>
          I have saved my backup codes
        </button>
      </div>
    </div>
  );
}
