import { detect } from "detect-browser";
import { useCallback, useEffect, useState } from "react";
import { type Device, listDevices, signOutDevice, signOutOtherDevices } from "../lib/account-client.ts";
import { revokeAllSessions } from "../lib/auth-client.ts";
import { navigation } from "../lib/navigation.ts";
import { describeError } from "../lib/problems.ts";
import { getSessionUser } from "../lib/session-user.ts";
import { FormAlert } from "./form-field.tsx";

/** "Chrome on Linux", from the user agent the session started with. */
export function describeDevice(userAgent: string): string {
  const found = userAgent ? detect(userAgent) : null;
  if (!found || found.type === "bot-device" || found.type === "react-native") return "Unknown browser";
  const browser = found.type === "browser" ? titleCase(found.name) : "Browser";
  return found.os ? `${browser} on ${found.os}` : browser;
}

function titleCase(name: string): string {
  const names: Record<string, string> = { chrome: "Chrome", crios: "Chrome", firefox: "Firefox", fxios: "Firefox" };
  return (
    names[name] ??
    name.replace(/(^|-)(\w)/g, (_, dash: string, letter: string) => `${dash ? " " : ""}${letter.toUpperCase()}`)
  );
}

function describePlace(device: Device): string | null {
  const country = device.country ? regionName(device.country) : null;
  return [device.city, country].filter(Boolean).join(", ") || null;
}

function regionName(code: string): string {
  try {
    return new Intl.DisplayNames(undefined, { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

const when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** The devices list: each session with Sign out, Sign out everywhere else, and Sign out of all devices. */
export function AccountDevices() {
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [thisSession, setThisSession] = useState("");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");
  // Until hydrated, a click would do nothing: the buttons wait for the island.
  const [ready, setReady] = useState(false);

  const load = useCallback(async () => {
    const result = await listDevices();
    if (result.ok) {
      // This device first, then the most recently active.
      setDevices(result.devices.sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime()));
    } else setError(describeError(result.error));
  }, []);

  useEffect(() => {
    setReady(true);
    getSessionUser().then(
      (user) => setThisSession(user?.sessionId ?? ""),
      () => {},
    );
    void load();
  }, [load]);

  async function act(key: string, action: () => Promise<{ ok: boolean; error?: unknown }>, done: string) {
    setBusy(key);
    setError("");
    setStatus("");
    const result = await action();
    setBusy(null);
    if (result.ok) {
      setStatus(done);
      await load();
    } else setError(describeError(result.error));
  }

  async function signOutEverywhere() {
    setBusy("all");
    const result = await revokeAllSessions();
    if (result.ok) {
      navigation.assign("/sign-in");
      return;
    }
    setBusy(null);
    setError(describeError(result.error));
  }

  const ordered = devices
    ? [...devices.filter((d) => d.id === thisSession), ...devices.filter((d) => d.id !== thisSession)]
    : [];
  const others = ordered.filter((device) => device.id !== thisSession);

  return (
    <section className="card" aria-labelledby="devices-title">
      <h2 id="devices-title">Devices</h2>
      <p>Where you are signed in. Sign out of any device you do not recognise.</p>
      <FormAlert message={error} />
      <p className="visually-hidden" role="status">
        {status}
      </p>
      {devices === null ? (
        <p aria-busy="true">Loading your devices…</p>
      ) : (
        <ul className="device-list">
          {ordered.map((device) => {
            const name = describeDevice(device.userAgent);
            const place = describePlace(device);
            const current = device.id === thisSession;
            return (
              <li key={device.id} className="device">
                <div>
                  <p className="device-name">
                    {name}
                    {current && <span className="badge">This device</span>}
                  </p>
                  <p className="device-meta">
                    {place && <>{place} · </>}
                    Last active <time dateTime={device.updatedAt.toISOString()}>{when.format(device.updatedAt)}</time>
                  </p>
                </div>
                {!current && (
                  <button
                    type="button"
                    className="btn"
                    aria-label={`Sign out ${name}${place ? ` in ${place}` : ""}, last active ${when.format(device.updatedAt)}`}
                    disabled={!ready || busy !== null}
                    aria-busy={busy === device.id || undefined}
                    onClick={() => act(device.id, () => signOutDevice(device.token), `Signed out ${name}.`)}
                  >
                    {busy === device.id && <span className="spinner" aria-hidden="true" />}
                    Sign out
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <div className="button-row">
        {others.length > 0 && (
          <button
            type="button"
            className="btn"
            disabled={!ready || busy !== null}
            aria-busy={busy === "others" || undefined}
            onClick={() => act("others", signOutOtherDevices, "Signed out every other device.")}
          >
            {busy === "others" && <span className="spinner" aria-hidden="true" />}
            Sign out everywhere else
          </button>
        )}
        <button
          type="button"
          className="btn"
          disabled={!ready || busy !== null}
          aria-busy={busy === "all" || undefined}
          onClick={signOutEverywhere}
        >
          {busy === "all" && <span className="spinner" aria-hidden="true" />}
          Sign out of all devices
        </button>
      </div>
    </section>
  );
}
