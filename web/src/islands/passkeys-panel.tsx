import { type SubmitEvent, useCallback, useEffect, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { addPasskey, listPasskeys, type Passkey, removePasskey } from "../lib/account-security.ts";
import { describeError } from "../lib/problems.ts";
import { FormAlert, FormField, SubmitButton } from "./form-field.tsx";

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

/** "Passkeys" on the account page: add one (named), see them, remove them. */
export function PasskeysPanel() {
  const [passkeys, setPasskeys] = useState<Passkey[] | null>(null);
  const [supported, setSupported] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState("");
  const [notice, setNotice] = useState("");
  const nameRef = useRef<HTMLInputElement>(null);

  const refresh = useCallback(async () => {
    const result = await listPasskeys();
    if (result.ok) setPasskeys(result.value);
    else setFormError(describeError(result.error));
  }, []);

  useEffect(() => {
    setSupported(typeof window.PublicKeyCredential === "function");
    void refresh();
  }, [refresh]);

  async function add(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const form = event.currentTarget;
    const name = String(new FormData(form).get("name") ?? "").trim();
    setFormError("");
    setNotice("");
    if (!name) {
      flushSync(() => setError("Name this passkey, e.g. the device it is on"));
      nameRef.current?.focus();
      return;
    }
    if (name.length > 100) {
      flushSync(() => setError("Use at most 100 characters"));
      nameRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    const result = await addPasskey(name);
    setBusy(false);
    if (result.ok) {
      form.reset();
      setNotice(`Passkey “${name}” added.`);
      await refresh();
      return;
    }
    const { code } = result.error;
    if (code === "ERROR_CEREMONY_ABORTED") setFormError("No passkey was added.");
    else if (code === "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED")
      setFormError("This device already has a passkey for your account.");
    else if (code === "SESSION_NOT_FRESH")
      setFormError("For your security, sign out and in again before adding a passkey.");
    else setFormError(describeError(result.error));
  }

  async function remove(passkey: Passkey) {
    setFormError("");
    setNotice("");
    const result = await removePasskey(passkey.id);
    if (!result.ok) return setFormError(describeError(result.error));
    setNotice(`Passkey “${passkey.name ?? "Unnamed"}” removed.`);
    await refresh();
  }

  return (
    <section className="card" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">Passkeys</h2>
      <p>Sign in with your fingerprint, face or device PIN instead of your password.</p>
      <p role="status" className="notice">
        {notice}
      </p>
      <FormAlert message={formError} />
      {passkeys === null ? (
        <p aria-busy="true">…</p>
      ) : passkeys.length === 0 ? (
        <p>You have no passkeys yet.</p>
      ) : (
        <ul className="passkey-list" aria-label="Your passkeys">
          {passkeys.map((passkey) => (
            <li key={passkey.id}>
              <span>
                <strong>{passkey.name ?? "Unnamed"}</strong>
                {passkey.createdAt && <span className="muted"> · added {dateFormat.format(passkey.createdAt)}</span>}
              </span>
              <button
                type="button"
                className="btn"
                aria-label={`Remove passkey ${passkey.name ?? "Unnamed"}`}
                onClick={() => remove(passkey)}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {supported ? (
        <form method="post" noValidate onSubmit={add}>
          <FormField
            label="Passkey name"
            name="name"
            type="text"
            hint="So you can tell your passkeys apart, e.g. “Work laptop”."
            maxLength={100}
            autoComplete="off"
            error={error}
            inputRef={nameRef}
          />
          <SubmitButton label="Add a passkey" busy={busy} />
        </form>
      ) : (
        <p>This browser cannot create passkeys.</p>
      )}
    </section>
  );
}
