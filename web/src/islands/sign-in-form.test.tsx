import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { navigation } from "../lib/navigation.ts";
import { authRefusal, FakeServer as FakeApi, json } from "../test/fake-server.ts";
import { SignInForm } from "./sign-in-form.tsx";

function setUp(api: FakeApi, url = "/sign-in") {
  window.history.replaceState(null, "", url);
  api.install();
  const user = userEvent.setup();
  render(<SignInForm />);
  return user;
}

const email = () => screen.getByRole("textbox", { name: "Email" });
const password = () => screen.getByLabelText("Password");
const submit = () => screen.getByRole("button", { name: "Sign in" });

describe("the sign-in form", () => {
  beforeEach(() => {
    window.history.replaceState(null, "", "/sign-in");
  });

  it("says what is wrong with each field, next to it, and focuses the first", async () => {
    const api = new FakeApi();
    const user = setUp(api);
    await user.type(email(), "ada.example.com");
    await user.click(submit());

    expect(email()).toHaveAttribute("aria-invalid", "true");
    expect(email()).toHaveAccessibleDescription("Enter an email address like name@example.com");
    expect(password()).toHaveAccessibleDescription("Enter your password");
    expect(email()).toHaveFocus();
    expect(api.calls("POST", /sign-in/)).toHaveLength(0);
  });

  it("shows a refused sign-in next to the password, in plain words", async () => {
    const api = new FakeApi().override("POST", /\/sign-in\/email$/, () =>
      authRefusal(401, "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password"),
    );
    const user = setUp(api);
    await user.type(email(), "ada@example.com");
    await user.type(password(), "wrong horse battery");
    await user.click(submit());

    await waitFor(() => expect(password()).toHaveAccessibleDescription("Email or password is incorrect"));
    expect(password()).toHaveAttribute("aria-invalid", "true");
    expect(password()).toHaveFocus();
    expect(navigation.assign).not.toHaveBeenCalled();
  });

  it("cannot be submitted twice while the first attempt is on its way", async () => {
    let answer: (response: Response) => void = () => {};
    const api = new FakeApi().override(
      "POST",
      /\/sign-in\/email$/,
      () => new Promise<Response>((resolve) => (answer = resolve)),
    );
    const user = setUp(api);
    await user.type(email(), "ada@example.com");
    await user.type(password(), "correct horse battery");
    await user.click(submit());
    await user.click(submit());
    await user.type(password(), "{Enter}");

    expect(submit()).toBeDisabled();
    expect(api.calls("POST", /\/sign-in\/email$/)).toHaveLength(1);
    expect(api.calls("POST", /\/sign-in\/email$/)[0]?.body).toMatchObject({ email: "ada@example.com" });

    answer(json({ token: "session", user: { id: "user-1" } }));
    await waitFor(() => expect(navigation.assign).toHaveBeenCalledWith("/tasks"));
  });

  it("goes back to where the person was, and only within the site", async () => {
    const api = new FakeApi().override("POST", /\/sign-in\/email$/, () => json({ user: { id: "user-1" } }), 2);
    const user = setUp(api, "/sign-in?next=%2Faccount&reason=session-ended");
    expect(await screen.findByText("Your session has ended — please sign in again")).toBeInTheDocument();
    await user.type(email(), "ada@example.com");
    await user.type(password(), "correct horse battery{Enter}");
    await waitFor(() => expect(navigation.assign).toHaveBeenCalledWith("/account"));
  });

  it("ignores a next address on another site", async () => {
    const api = new FakeApi().override("POST", /\/sign-in\/email$/, () => json({ user: { id: "user-1" } }));
    const user = setUp(api, "/sign-in?next=%2F%2Fevil.example%2F");
    await user.type(email(), "ada@example.com");
    await user.type(password(), "correct horse battery{Enter}");
    await waitFor(() => expect(navigation.assign).toHaveBeenCalledWith("/tasks"));
  });

  it("says when to try again after too many attempts", async () => {
    const api = new FakeApi().override(
      "POST",
      /\/sign-in\/email$/,
      () =>
        new Response(JSON.stringify({ message: "Too many requests. Please try again later." }), {
          status: 429,
          headers: { "Content-Type": "application/json", "Retry-After": "42" },
        }),
    );
    const user = setUp(api);
    await user.type(email(), "ada@example.com");
    await user.type(password(), "correct horse battery{Enter}");

    const alert = await screen.findByRole("alert");
    await waitFor(() => expect(alert).toHaveTextContent(/Too many attempts — try again in 42 seconds/));
    expect(submit()).toBeEnabled();
  });

  it("explains in words when the server does not trust this page's address", async () => {
    const api = new FakeApi().override("POST", /\/sign-in\/email$/, () =>
      authRefusal(403, "INVALID_ORIGIN", "Invalid origin"),
    );
    const user = setUp(api);
    await user.type(email(), "ada@example.com");
    await user.type(password(), "correct horse battery{Enter}");

    const alert = await screen.findByRole("alert");
    await waitFor(() => expect(alert).toHaveTextContent(/is not one this server trusts/));
    expect(alert).toHaveTextContent("http://localhost:4321");
    expect(alert).not.toHaveTextContent(/^Invalid origin$/);
  });

  it("asks for the authentication code when two-factor is on, and sends a backup code to its own endpoint", async () => {
    const api = new FakeApi()
      .override("POST", /\/sign-in\/email$/, () => json({ twoFactorRedirect: true, twoFactorMethods: ["totp"] }))
      .override("POST", /\/two-factor\/verify-totp$/, () => authRefusal(401, "INVALID_CODE", "Invalid code"))
      .override("POST", /\/two-factor\/verify-backup-code$/, () => json({ token: "t", user: { id: "user-1" } }));
    const user = setUp(api);
    await user.type(email(), "ada@example.com");
    await user.type(password(), "correct horse battery{Enter}");

    const code = await screen.findByRole("textbox", { name: "Authentication code" });
    await waitFor(() => expect(code).toHaveFocus());
    expect(navigation.assign).not.toHaveBeenCalled();

    await user.type(code, "123456{Enter}");
    await waitFor(() => expect(code).toHaveAccessibleDescription(/That code is not right/));
    expect(api.calls("POST", /verify-totp$/)[0]?.body).toMatchObject({ code: "123456", trustDevice: false });

    await user.clear(code);
    await user.type(code, "abcde-12345");
    await user.click(screen.getByRole("checkbox", { name: "Trust this device for 30 days" }));
    await user.click(screen.getByRole("button", { name: "Verify" }));
    await waitFor(() => expect(navigation.assign).toHaveBeenCalledWith("/tasks"));
    expect(api.calls("POST", /verify-backup-code$/)[0]?.body).toMatchObject({ code: "abcde-12345", trustDevice: true });
  });
});
