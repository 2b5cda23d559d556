/**
 * The installed app: its web app manifest, its icons and the colours of its window, written
 * once. `scripts/build-pwa.ts` renders the icons and writes `dist/manifest.webmanifest` from
 * this module; the base layout takes the `theme-color` meta tags from it.
 */

/** The page background of each theme (`--bg` in styles/global.css), so the window frame matches the page. */
export const themeColors = { light: "#f5f6f3", dark: "#101412" } as const;

/** The mark every icon is drawn from (public/favicon.svg): a check on the accent green. */
export const iconSource = "favicon.svg";
/** Fill behind a maskable icon's safe zone: the mark's own green, so any mask shape looks whole. */
export const maskableBackground = "#2f6b4f";

export interface AppIcon {
  src: string;
  sizes: string;
  type: string;
  purpose: "any" | "maskable";
}

/** PNG icons rendered at build time, by size and purpose. */
export const pngIcons = [192, 512].flatMap((size) =>
  (["any", "maskable"] as const).map(
    (purpose): AppIcon => ({
      src: `/icons/${purpose === "any" ? "icon" : "maskable"}-${size}.png`,
      sizes: `${size}x${size}`,
      type: "image/png",
      purpose,
    }),
  ),
);

/** iOS ignores the manifest's icons and reads <link rel="apple-touch-icon">. */
export const appleTouchIcon = { src: "/icons/apple-touch-icon-180.png", size: 180 } as const;

export const appManifest = {
  id: "/tasks",
  name: "Brisk — tasks",
  short_name: "Brisk",
  description: "A fast, private task manager.",
  lang: "en",
  dir: "ltr",
  start_url: "/tasks",
  scope: "/",
  display: "standalone",
  // The manifest holds one colour each; the pages' theme-color meta tags give the dark one too.
  background_color: themeColors.light,
  theme_color: themeColors.light,
  icons: [{ src: `/${iconSource}`, sizes: "any", type: "image/svg+xml", purpose: "any" }, ...pngIcons],
} as const;
