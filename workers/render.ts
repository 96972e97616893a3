/**
 * A render worker: renders step outputs for the engine (workers/renderPool.ts), behind comlink. The
 * streams are transferred, never copied whole: Markdown in, HTML pieces out (workers/renderStream.ts).
 */
import * as Comlink from 'comlink';
import { renderStream, type RenderService } from './renderStream';

const service: RenderService = {
  render(input, headingOffset) {
    const out = renderStream(input, headingOffset);
    return Comlink.transfer(out, [out as unknown as Transferable]);
  },
};
Comlink.expose(service);
