import { useEffect, useState } from "react";
import { currentDensity, type Density, setDensity } from "../lib/density.ts";

/** "Compact list": a pressed/not-pressed button; the choice is remembered (lib/density.ts). */
export function DensityToggle() {
  // The page is built without knowing the choice; the early script has applied it to <html>
  // already, and the button reads it once hydrated (the layout does not wait for this).
  const [density, setState] = useState<Density>("comfortable");
  useEffect(() => setState(currentDensity()), []);
  const compact = density === "compact";
  return (
    <button
      type="button"
      className="btn btn-small btn-quiet density-toggle"
      aria-pressed={compact}
      onClick={() => {
        const next = compact ? "comfortable" : "compact";
        setDensity(next);
        setState(next);
      }}
    >
      <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <path d="M4 6h16M4 10h16M4 14h16M4 18h16" />
      </svg>
      <span className="density-label">Compact list</span>
    </button>
  );
}
