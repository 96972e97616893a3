import type { PlatformPage } from '../../lib/platform';
import type { ExporterActions } from '../actions';

export interface FeatureContext {
  page: PlatformPage;
  /** Adds this feature's host element (open shadow root, our styles) to `anchor`; returns the render root. */
  mount(anchor: Element, featureId: string): HTMLElement;
  actions: ExporterActions;
  /** Aborted when the page changes (SPA navigation): everything the feature attached hangs on it. */
  signal: AbortSignal;
}

/** One feature per file; `applies` is a pure function of the page. */
export interface Feature {
  id: string;
  applies(page: PlatformPage): boolean;
  init(ctx: FeatureContext): void;
}
