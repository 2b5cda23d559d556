import { type SubmitEvent, useEffect, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { changeEmail, changeName, changeTimeZone } from "../lib/account-client.ts";
import { describeError } from "../lib/problems.ts";
import { getSessionUser, type SessionUser } from "../lib/session-user.ts";
import { browserZone } from "../lib/time-zone.ts";
import { profileChangedEvent } from "./account-menu.tsx";
import { emailMessage, emailPattern, FormAlert, FormField, SubmitButton } from "./form-field.tsx";

/** The same limit the server keeps (docs/auth.md, "What /api/auth exposes"). */
const nameLength = 100;

/** The account page's name and email, each changeable; a new email applies once confirmed from the mail. */
export function AccountProfile() {
  const [user, setUser] = useState<SessionUser | null>(null);
  useEffect(() => {
    getSessionUser().then(setUser, () => {});
  }, []);

  return (
    <section className="card" aria-labelledby="profile-title">
      <h2 id="profile-title">Your details</h2>
      <dl className="profile" aria-busy={!user || undefined}>
        <dt>Name</dt>
        <dd>{user?.name ?? "…"}</dd>
        <dt>Time zone</dt>
        <dd>{user ? (user.timeZone ?? `Not set (this browser: ${browserZone()})`) : "…"}</dd>
        <dt>Email</dt>
        <dd>
          {user?.email ?? "…"}
          {user && !user.emailVerified && <span className="badge">Not confirmed yet</span>}
        </dd>
      </dl>
      {user && (
        <>
          <NameForm current={user.name} onChanged={(name) => setUser({ ...user, name })} />
          <EmailForm current={user.email} />
          <TimeZoneForm current={user.timeZone} onChanged={(timeZone) => setUser({ ...user, timeZone })} />
        </>
      )}
    </section>
  );
}

function NameForm({ current, onChanged }: { current: string; onChanged: (name: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState("");
  const [done, setDone] = useState("");
  const inputRef = useRef<HTMLInputElement>(null);

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const name = String(new FormData(event.currentTarget).get("name") ?? "").trim();
    setDone("");
    setFormError("");
    const problem = !name
      ? "Enter your name"
      : [...name].length > nameLength
        ? `Use at most ${nameLength} characters`
        : "";
    if (problem) {
      flushSync(() => setError(problem));
      inputRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    const result = await changeName(name);
    setBusy(false);
    if (result.ok) {
      onChanged(name);
      window.dispatchEvent(new Event(profileChangedEvent));
      setDone("Your name has been changed.");
    } else if (result.error.code === "NAME_TOO_LONG" || result.error.code === "INVALID_NAME") {
      flushSync(() => setError(result.error.message));
      inputRef.current?.focus();
    } else setFormError(describeError(result.error));
  }

  return (
    <form method="post" noValidate onSubmit={onSubmit} className="profile-form">
      <div className="notice" role="status">
        {done}
      </div>
      <FormAlert message={formError} />
      <FormField
        label="Name"
        name="name"
        autoComplete="name"
        defaultValue={current}
        maxLength={nameLength * 2}
        error={error}
        inputRef={inputRef}
        onInput={() => setError(undefined)}
      />
      <SubmitButton label="Save name" busy={busy} />
    </form>
  );
}

/**
 * The person's time zone: where "today" and "overdue" are counted when no zone is asked for, and
 * the zone of a due time set without one. Every zone this browser knows is offered.
 */
function TimeZoneForm({ current, onChanged }: { current: string | null; onChanged: (zone: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState("");
  const [done, setDone] = useState("");
  const zones = Intl.supportedValuesOf("timeZone");
  const initial = current ?? browserZone();

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const zone = String(new FormData(event.currentTarget).get("timeZone") ?? "");
    setDone("");
    setFormError("");
    setBusy(true);
    const result = await changeTimeZone(zone);
    setBusy(false);
    if (result.ok) {
      onChanged(zone);
      setDone("Your time zone has been changed.");
    } else setFormError(describeError(result.error));
  }

  return (
    <form method="post" noValidate onSubmit={onSubmit} className="profile-form">
      <div className="notice" role="status">
        {done}
      </div>
      <FormAlert message={formError} />
      <div className="field">
        <label htmlFor="profile-time-zone">Time zone</label>
        <select id="profile-time-zone" name="timeZone" defaultValue={initial}>
          {(zones.includes(initial) ? zones : [initial, ...zones]).map((zone) => (
            <option key={zone} value={zone}>
              {zone.replaceAll("_", " ")}
            </option>
          ))}
        </select>
      </div>
      <SubmitButton label="Save time zone" busy={busy} />
    </form>
  );
}

function EmailForm({ current }: { current: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState("");
  const [done, setDone] = useState("");
  const inputRef = useRef<HTMLInputElement>(null);

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const form = event.currentTarget;
    const email = String(new FormData(form).get("email") ?? "").trim();
    setDone("");
    setFormError("");
    const problem = !emailPattern.test(email)
      ? emailMessage
      : email.toLowerCase() === current.toLowerCase()
        ? "That is already your email address"
        : "";
    if (problem) {
      flushSync(() => setError(problem));
      inputRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    const result = await changeEmail(email);
    setBusy(false);
    if (result.ok) {
      form.reset();
      setDone(
        `Check ${email} for a link to confirm it; your address changes once it is opened. We told ${current} too.`,
      );
    } else setFormError(describeError(result.error));
  }

  return (
    <form method="post" noValidate onSubmit={onSubmit} className="profile-form">
      <h3>Change email</h3>
      <div className="notice" role="status">
        {done}
      </div>
      <FormAlert message={formError} />
      <FormField
        label="New email address"
        name="email"
        type="email"
        autoComplete="email"
        inputMode="email"
        spellCheck={false}
        error={error}
        inputRef={inputRef}
        onInput={() => setError(undefined)}
      />
      <SubmitButton label="Send confirmation link" busy={busy} />
    </form>
  );
}
