/**
 * The Worker's isolate through `wrangler dev`'s inspector port (the DevTools protocol):
 * the V8 heap that is still alive after a full garbage collection — Brisk's own memory,
 * what its code keeps — without the runtime's allocator caches that make workerd's
 * resident size climb (README). wrangler admits one DevTools client at a time, from a
 * local Origin.
 */
export interface IsolateInspector {
  /**
   * Bytes of V8 heap in use right after a full collection; undefined when the isolate
   * did not answer in time. The collection runs on the isolate's thread between requests
   * (tens of milliseconds on this heap), so it is asked for every few seconds, not more.
   */
  liveHeap(): Promise<number | undefined>;
  close(): void;
}

export async function connectInspector(port: number): Promise<IsolateInspector> {
  // Node's WebSocket (undici) takes headers as a second argument; the DOM typing does not know it.
  const init = { headers: { Origin: "http://127.0.0.1" } } as unknown as string[];
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, init);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error(`no DevTools connection on port ${port}`)), { once: true });
  });
  let nextId = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id === undefined) return;
    waiting.get(message.id)?.(message.result);
    waiting.delete(message.id);
  });
  const call = (method: string) =>
    new Promise<unknown>((resolve) => {
      const id = ++nextId;
      waiting.set(id, resolve);
      socket.send(JSON.stringify({ id, method }));
      setTimeout(() => {
        waiting.delete(id);
        resolve(undefined);
      }, 3000);
    });
  return {
    liveHeap: async () => {
      if ((await call("HeapProfiler.collectGarbage")) === undefined) return undefined;
      return ((await call("Runtime.getHeapUsage")) as { usedSize?: number } | undefined)?.usedSize;
    },
    close: () => socket.close(),
  };
}
