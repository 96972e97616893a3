/**
 * The thin per-browser layer of the e2e suite (issue 18, point 1). A flow (`tests/flows/*.flow.ts`)
 * is written ONCE against `Driver` and runs in Chromium (Playwright, `chromium.ts`, wrapped by a
 * spec in tests/e2e/) and in Firefox ESR (puppeteer-core over WebDriver BiDi, `firefox.ts`, run by
 * scripts/test-firefox.ts, which finds every flow file by itself).
 *
 * What a flow sees:
 * - `Surface`: one tab. On a platform page, elements are found by role and accessible name in the
 *   extension's open shadow root(s) only (never the platform's buttons of the same name); on an
 *   extension page (popup, options) in the document. Platform elements proper are reached with
 *   CSS (`cssSelect`, `cssCount`).
 * - `Driver`: the browser: the signed-in platform tab, more tabs, popup and options, the download
 *   folder and the next finished download, the job store, a restart on the same profile.
 *
 * Every action waits (up to its timeout) for its element to exist and be enabled; reads return the
 * state now (`state`) or wait for a condition (`waitForText`, `expectState`). Names are matched
 * exactly (after trimming and collapsing white space) when a string, by `test` when a RegExp.
 * Assertions in flows are node:assert (both runners report a thrown error).
 *
 * Keep this interface stable: other engineers write flows on it. Change it only additively.
 */
import type { JobState } from '../../lib/jobs';
import type { SiteHandle } from '../site/server';

export type BrowserName = 'chromium' | 'firefox';

/**
 * How long a flow waits for what it expects to see (an export's "Saved", a state) unless it says
 * otherwise. A wait ends as soon as it holds: this bounds only a failure, and CI runs both browsers'
 * suites at once on 2 cores, where an export that takes 3 s alone can take many times that.
 */
export const WAIT_TIMEOUT = 45_000;
/** How long an action (click, fill) waits for its element. */
export const ACTION_TIMEOUT = 30_000;

export type Role =
  | 'alert'
  | 'button'
  | 'checkbox'
  | 'combobox'
  | 'dialog'
  | 'group'
  | 'heading'
  | 'link'
  | 'list'
  | 'listitem'
  | 'radio'
  | 'region'
  | 'row'
  | 'spinbutton'
  | 'status'
  | 'table'
  | 'textbox';

export type Name = string | RegExp;

/** An element by its role and accessible name, optionally inside another; `nth` among the matches (-1: the last). */
export interface Target {
  role: Role;
  name?: Name;
  within?: Target;
  nth?: number;
  /**
   * Platform pages: only in the shadow root of the host(s) this CSS selector matches
   * (`tr[data-execution-id="1005"] workflow-exporter`); every host of ours otherwise.
   */
  host?: string;
}

/** `by('button', 'Download', by('dialog', 'Export CSV'))`. */
export const by = (role: Role, name?: Name, within?: Target, nth?: number): Target => ({ role, name, within, nth });

/** What a target looks like now. `count` is 0 (and the rest undefined) when nothing matches. */
export interface ElementState {
  count: number;
  /** textContent, white space collapsed and trimmed. */
  text?: string;
  /** Inputs, selects, text areas: their value. */
  value?: string;
  /** Checkboxes and radios. */
  checked?: boolean;
  enabled?: boolean;
  /** The accessible description (aria-describedby's text), white space collapsed. */
  description?: string;
  /** A select's options' labels, in order. */
  options?: string[];
  /** A few attributes: href, datetime, download. */
  attributes?: Record<string, string | null>;
}

export interface Surface {
  readonly kind: 'platform' | 'extension';
  /** Platform surfaces: a path of the platform (`/develop/workflows/1`) or a full URL. */
  goto(pathOrUrl: string): Promise<void>;
  reload(): Promise<void>;
  close(): Promise<void>;
  /** The address the tab shows. */
  url(): Promise<string>;

  click(t: Target, opts?: { timeout?: number }): Promise<void>;
  /** Replaces a text field's value (a user typing it). */
  fill(t: Target, value: string, opts?: { timeout?: number }): Promise<void>;
  setChecked(t: Target, checked?: boolean, opts?: { timeout?: number }): Promise<void>;
  /** Selects the option with this value or label. */
  selectOption(t: Target, option: { value?: string; label?: string }, opts?: { timeout?: number }): Promise<void>;
  /** Puts a file into the `<input type=file>` matched by `css` (in our shadow root on platform pages). */
  setInputFile(css: string, file: string): Promise<void>;
  /** Presses a key in the focused element (`End`, `Enter`, `Escape`). */
  press(t: Target, key: string): Promise<void>;

  state(t: Target): Promise<ElementState>;
  /** Waits until the target's text matches (a string: contains), returns the text. */
  waitForText(t: Target, pattern: RegExp | string, timeout?: number): Promise<string>;
  /** Waits until every field of `want` equals the target's state (`count` included), returns the state. */
  expectState(t: Target, want: Partial<ElementState>, timeout?: number): Promise<ElementState>;

  /** Platform elements (outside our UI), by CSS in the document. */
  cssSelect(selector: string, value: string): Promise<void>;
  cssCount(selector: string): Promise<number>;
  cssText(selector: string): Promise<string>;
  /** Waits for `selector` in the document (e.g. the platform's toolbar). */
  cssWait(selector: string, timeout?: number): Promise<void>;
  /** The texts of every element matching `css` in our UI (our shadow roots; the document of an extension page). */
  uiTexts(css: string): Promise<string[]>;
  /** How many of our shadow hosts the page holds. */
  exporterCount(): Promise<number>;

  /** A platform element's attribute (null when absent or no element matches). */
  cssAttribute(selector: string, name: string): Promise<string | null>;
  /** Evaluates a JavaScript expression in the page (a string: no bundler helpers, no page CSP); returns its JSON value. */
  evaluate<T = unknown>(expression: string): Promise<T>;

  /** Only a PNG for the docs; flows take them in Chromium only (see `Driver.browser`). */
  screenshot(file: string, opts?: { fullPage?: boolean; selector?: string }): Promise<void>;
}

/** What a file opened from disk did (`Driver.openFile`). */
export interface OpenedFile {
  /** Requests beyond the document itself (what the browser's driver reports). */
  requests: string[];
  /** Messages of alert/confirm/prompt dialogs (each dismissed). */
  dialogs: string[];
  /** The value of `evaluate` in the page once loaded (and hovered). */
  result: unknown;
}

export interface DriverOptions {
  /** The browser's UI language, e.g. `de`. */
  lang?: string;
  /**
   * Origins whose optional host permission the user allows when the extension asks. Chromium's
   * prompt can't be answered headless: the driver loads a copy of the build that already holds
   * these host permissions (what "Allow" leaves behind; the manifest's content script still
   * matches the build's origins only). Firefox: its prompt is turned off
   * (`extensions.webextOptionalPermissionPrompts`), every request granted.
   */
  grantedOrigins?: string[];
}

/** Where the download folder stood before an export (pass it to `nextDownload`). */
export type DownloadMark = { readonly kind: 'mark'; readonly value: unknown };

export interface Driver {
  readonly browser: BrowserName;
  /** The reference platform the extension serves (`http://localhost:<port>`). */
  readonly origin: string;
  readonly site: SiteHandle;
  /** A folder of the test's own (kept when it fails). */
  readonly dir: string;
  /** Where the browser saves downloads. */
  readonly downloads: string;
  /** The first tab, signed in to the platform as demo/demo. */
  readonly page: Surface;

  newPage(): Promise<Surface>;
  /** The popup as an extension page in a tab of its own. */
  openPopup(): Promise<Surface>;
  openOptions(): Promise<Surface>;
  /** Signs `surface` in at `origin` (the driver's by default) through the platform's form. */
  signIn(surface: Surface, origin?: string, user?: string, password?: string): Promise<void>;

  downloadMark(): Promise<DownloadMark>;
  /** The path of the next download after `mark` once it has finished (and completed). */
  nextDownload(mark: DownloadMark, timeout?: number): Promise<string>;
  /** The jobs as the background keeps them (IndexedDB `workflow-exporter-jobs`). */
  storedJobs(): Promise<JobState[]>;
  /**
   * Opens a file from disk (`file://`) in a new tab of this browser, records its requests and
   * dialogs, hovers every element `hover` matches, evaluates `evaluate` there, closes the tab.
   */
  openFile(file: string, opts: { evaluate: string; hover?: string }): Promise<OpenedFile>;
  /**
   * Closes the browser and opens it again on the same profile (extension storage kept); `page`
   * is then a new first tab, signed in again.
   */
  restart(): Promise<void>;
}

export interface Flow {
  name: string;
  run(d: Driver): Promise<void>;
  options?: DriverOptions;
  /** Only in these browsers (say why in the flow when it is not both). */
  browsers?: BrowserName[];
  /** Milliseconds; Playwright's default (180 s) otherwise. */
  timeout?: number;
}
