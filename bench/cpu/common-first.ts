/**
 * A tiny Worker around the real common-password module, so each isolate decodes the
 * list once: `/noop` answers without touching it, `/first` times the first check.
 */
import { isCommonPassword } from "../../worker/src/auth/common-passwords.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname === "/noop") return Response.json({ ms: 0 });
    const start = performance.now();
    const common = isCommonPassword("correct horse battery staple");
    return Response.json({ ms: performance.now() - start, common });
  },
};
