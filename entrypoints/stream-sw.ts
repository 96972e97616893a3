/**
 * Chrome: the stream service worker (lib/streamServer.ts), registered by the offscreen document with
 * the scope `/stream/`. It answers `/stream/<jobId>` with the archive's stream; every other fetch
 * goes on as usual. Chrome keeps it running while the response streams (measured: 6.8 minutes with
 * nothing else reaching it, service-worker-lifetime.spec.ts); it takes no messages. It reads the
 * download's bytes from the engine's journaled copy, as the engine grants them (lib/copyStream.ts).
 */
import { serveStream, type StreamServerDeps } from '../lib/streamServer';
import { OFFSCREEN_PATH } from '../lib/senders';
import { ARCHIVES_DIR, outputNameOf } from '../lib/streamDownload';

interface FetchEventLike {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface ServiceWorkerScope {
  location: Location;
  addEventListener(type: 'fetch', fn: (e: FetchEventLike) => void): void;
  addEventListener(type: 'install' | 'activate', fn: (e: { waitUntil(p: Promise<unknown>): void }) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void>; matchAll(o: object): ReturnType<StreamServerDeps['clients']> };
}

export default defineUnlistedScript({
  include: ['chrome'],
  main() {
    const sw = self as unknown as ServiceWorkerScope;
    const baseUrl = new URL('/', sw.location.href).href;
    /** The copies' file handles, by job (each read takes a fresh File of one). */
    const copies = new Map<string, Promise<FileSystemFileHandle>>();
    const deps: StreamServerDeps = {
      baseUrl,
      hostUrl: new URL(OFFSCREEN_PATH, baseUrl).href,
      clients: () => sw.clients.matchAll({ type: 'window', includeUncontrolled: true }),
      async readCopy(jobId, from, to) {
        let handle = copies.get(jobId);
        if (!handle) {
          const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(ARCHIVES_DIR);
          handle = dir.getFileHandle(outputNameOf(jobId));
          copies.set(jobId, handle);
          // One export streams at a time; a few handles more are nothing, and the map is kept short.
          if (copies.size > 8) copies.delete(copies.keys().next().value!);
        }
        // A fresh File each time: a File is a snapshot, and the copy has grown since the last.
        const file = await (await handle).getFile();
        return new Uint8Array(await file.slice(from, to).arrayBuffer());
      },
    };
    sw.addEventListener('install', (e) => e.waitUntil(sw.skipWaiting()));
    sw.addEventListener('activate', (e) => e.waitUntil(sw.clients.claim()));
    sw.addEventListener('fetch', (event) => {
      if (!event.request.url.startsWith(`${baseUrl}stream/`)) return;
      event.respondWith(serveStream(event.request.url, deps).then((r) => r ?? new Response('Not found', { status: 404 })));
    });
  },
});
