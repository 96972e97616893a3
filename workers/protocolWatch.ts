/**
 * The width of a case-file export's window of downloads, from the protocol the browser used for
 * them (issue 17, point 5): Resource Timing's `nextHopProtocol` of the platform's answers, read in
 * the worker that fetched them. The rule is lib/concurrency.ts's `fetchWidth`; this only watches.
 *
 * The entries are read and the buffer cleared each time the width is asked until the protocol is
 * known, so the buffer never fills (the browser stops recording at 250) nor holds the export's
 * requests. A cross-origin answer without `Timing-Allow-Origin` shows an empty protocol: it stays
 * `unknown`, and the window HTTP/1.1's.
 */
import { fetchWidth, protocolKind, windowByteBudget, windowWeight, type ProtocolKind } from '../lib/concurrency';
import type { WindowWidth } from './fetching';

/** The part of `performance` it reads (a fake in Node tests). */
export interface ResourceTimeline {
  getEntriesByType(type: 'resource'): readonly { name: string; nextHopProtocol?: string }[];
  clearResourceTimings(): void;
}

export class ProtocolWatch {
  kind: ProtocolKind = 'unknown';
  /** The `nextHopProtocol` that decided it (e.g. `h2`), for the job's figures. */
  protocol = '';
  constructor(
    private readonly origin: string,
    private readonly timeline: ResourceTimeline | null = typeof performance !== 'undefined' && 'clearResourceTimings' in performance
      ? (performance as unknown as ResourceTimeline)
      : null,
  ) {}

  /** Reads the entries recorded since the last look (and clears them); the protocol once known. */
  poll(): ProtocolKind {
    if (this.kind !== 'unknown' || !this.timeline) return this.kind;
    const entries = this.timeline.getEntriesByType('resource');
    if (!entries.length) return this.kind;
    this.timeline.clearResourceTimings();
    const prefix = `${this.origin}/`;
    for (const e of entries) {
      if (!e.name.startsWith(prefix)) continue;
      const kind = protocolKind(e.nextHopProtocol);
      if (kind !== 'unknown') {
        this.kind = kind;
        this.protocol = e.nextHopProtocol ?? '';
      }
    }
    return this.kind;
  }
}

/**
 * The window of an export's downloads: HTTP/1.1's width until the platform's answers show a
 * multiplexed connection, then wider, never past `ceiling` (the user's parallel downloads), and the
 * files waiting in memory within the budget. `widest` records the widest it was.
 */
export function downloadWindow<I>(
  watch: ProtocolWatch,
  ceiling: number,
  sizeOf: (item: I) => number,
  memoryLimit: number,
): WindowWidth<I> & { widest: number } {
  const win = {
    widest: 0,
    width() {
      const w = fetchWidth(watch.poll(), ceiling);
      if (w > win.widest) win.widest = w;
      return w;
    },
    weight: (item: I) => windowWeight(sizeOf(item), memoryLimit),
    budget: windowByteBudget(memoryLimit),
  };
  return win;
}
