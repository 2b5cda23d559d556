import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { authRefusal, FakeServer as FakeApi, json } from "../test/fake-server.ts";
import { TwoFactorPanel } from "./two-factor-panel.tsx";

const totpURI = "otpauth://totp/Brisk:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Brisk";
const backupCodes = Array.from({ length: 10 }, (_, i) => `code${i}-abcde`);

describe("the two-factor panel", () => {
  it("turns two-factor on: password, QR code and key, a code check, then the backup codes once", async () => {
    const api = new FakeApi()
      .override("POST", /\/two-factor\/enable$/, () => authRefusal(400, "INVALID_PASSWORD", "Invalid"))
      .override("POST", /\/two-factor\/enable$/, () => json({ method: "totp", totpURI, backupCodes }))
      .override("POST", /\/two-factor\/verify-totp$/, () => authRefusal(401, "INVALID_CODE", "Invalid"))
      .override("POST", /\/two-factor\/verify-totp$/, () => json({ token: "t", user: { id: "user-1" } }));
    api.install();
    const user = userEvent.setup();
    render(<TwoFactorPanel />);

    await user.click(await screen.findByRole("button", { name: "Turn on two-factor authentication" }));
    const password = screen.getByLabelText("Password");
    await waitFor(() => expect(password).toHaveFocus());
    await user.type(password, "wrong password{Enter}");
    await waitFor(() => expect(password).toHaveAccessibleDescription("That password is incorrect"));
    await user.clear(password);
    await user.type(password, "correct horse battery{Enter}");

    // The QR code is drawn by a library loaded only now, and the key is there as text too.
    const qr = await screen.findByRole("img", { name: "QR code for your authenticator app" });
    await waitFor(() => expect(qr.querySelector("svg")).not.toBeNull());
    expect(screen.getByTestId("totp-secret")).toHaveTextContent("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");

    const code = screen.getByLabelText("Code from the app");
    await user.type(code, "12345{Enter}");
    expect(code).toHaveAccessibleDescription("Enter the 6-digit code your app shows");
    expect(api.calls("POST", /verify-totp$/)).toHaveLength(0);
    await user.clear(code);
    await user.type(code, "123456{Enter}");
    await waitFor(() => expect(code).toHaveAccessibleDescription(/That code is not right/));
    await user.clear(code);
    await user.type(code, "654321{Enter}");

    const list = await screen.findByRole("list", { name: "Backup codes" });
    expect(list.querySelectorAll("li")).toHaveLength(10);
    const download = screen.getByRole("link", { name: "Download backup codes" });
    expect(download).toHaveAttribute("download", "brisk-backup-codes.txt");
    await user.click(screen.getByRole("button", { name: "I have saved my backup codes" }));
    expect(await screen.findByText("Two-factor authentication is on.")).toBeInTheDocument();
    expect(screen.queryByRole("list", { name: "Backup codes" })).toBeNull();
    expect(screen.getByRole("button", { name: "Turn off two-factor authentication" })).toBeInTheDocument();
  });
});
