/**
 * The reference platform's data, deterministic from the seed. Workflows "1" (demo, awkward values)
 * and "2" (small, plain) are built eagerly; workflow "3" (scale, up to millions of cases) is computed
 * case by case on demand from the seed, so 100,000 cases cost nothing until they are paged.
 */
import type {
  Annotation,
  Answer,
  Case,
  CaseFile,
  ExecutionStatus,
  MetaValue,
  Order,
  Question,
  Shape,
  Step,
  Submission,
} from '../../lib/platform.ts';
import type { SiteConfig } from './config.ts';
import { type ContentSpec, type FileSpec, fileSize, hash32, isImage, mulberry32 } from './content.ts';
import { buildFormatsWorkflow } from './formats.ts';

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

export interface SiteUser {
  id: string;
  username: string;
  password: string;
  name: string;
  email: string;
}

export interface SiteFile extends FileSpec {
  originalFilename: string;
  contentType: string;
  createdAt: string;
  workflowId: string;
  caseId: string;
}

export interface SiteCase {
  id: string;
  shortId: string;
  externalId: string | null;
  entityExternalId: string | null;
  orderId: string | null;
  metadata: Record<string, MetaValue>;
  files: SiteFile[];
}

/** A list of case indices (positions in the workflow) without materialising it. */
export interface IndexList {
  length: number;
  at(i: number): number;
}

export interface SiteStep extends Step {
  /** The Markdown output; its UTF-8 length is `outputSize`. */
  output(): string;
}

export interface SiteExecution {
  id: string;
  workflowId: string;
  status: ExecutionStatus;
  startedAt: string;
  finishedAt: string | null;
  steps: SiteStep[];
  /** For an execution that is not finished: what it looks like once it has finished (status success). */
  finished?: { finishedAt: string; steps: SiteStep[] };
  /** A short note on what this execution is for (shown on the home page, handy in tests). */
  role: string;
}

export interface SiteWorkflow {
  id: string;
  name: string;
  orders: Order[];
  questions: Question[];
  /** Users without access (403). */
  deniedUserIds: string[];
  caseCount: number;
  caseAt(index: number): SiteCase;
  /** Cases of an order (null = all cases); undefined when the order is unknown. */
  casesOfOrder(orderId: string | null): IndexList | undefined;
  submissionsOf(caseIndex: number): Submission[];
  annotationsOf(caseIndex: number): Annotation[];
  executions: SiteExecution[];
}

export interface Dataset {
  seed: number;
  plainNames: boolean;
  users: SiteUser[];
  workflows: SiteWorkflow[];
  workflow(id: string): SiteWorkflow | undefined;
  /** Every execution, newest first. */
  executions: SiteExecution[];
  execution(id: string): SiteExecution | undefined;
  file(uuid: string): SiteFile | undefined;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** Every generated time is relative to this instant: 2025-05-12T08:30:00Z. */
export const BASE_TIME = Date.UTC(2025, 4, 12, 8, 30, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

const hex = (n: number, len: number) => (n >>> 0).toString(16).padStart(8, '0').slice(-len);

/** A UUID-shaped id from hashed parts (version 4 layout). */
export function uuidFrom(...parts: (number | string)[]): string {
  const a = hash32(...parts, 'a');
  const b = hash32(...parts, 'b');
  const c = hash32(...parts, 'c');
  const d = hash32(...parts, 'd');
  return `${hex(a, 8)}-${hex(b >>> 16, 4)}-4${hex(b, 3)}-${'89ab'[c & 3]}${hex(c >>> 8, 3)}-${hex(c >>> 20, 4)}${hex(d, 8)}`;
}

/** Scale files encode their number (masked) in the last 8 hex digits so they are found without a table. */
function scaleFileUuid(seed: number, n: number): string {
  const a = hash32(seed, 'scale-file', n);
  const b = hash32(seed, 'scale-file', n, 'b');
  return `${hex(a, 8)}-${hex(b >>> 16, 4)}-4${hex(b, 3)}-a${hex(a ^ b, 3)}-${hex(a >>> 7, 4)}${hex((n ^ hash32(seed, 'scale-mask')) >>> 0, 8)}`;
}
function scaleFileNumber(seed: number, uuid: string): number {
  const m = /-[0-9a-f]{4}([0-9a-f]{8})$/.exec(uuid);
  return m ? (parseInt(m[1], 16) ^ hash32(seed, 'scale-mask')) >>> 0 : -1;
}

const SHORT_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
function shortIdFrom(...parts: (number | string)[]): string {
  let h = hash32(...parts, 'short');
  let h2 = hash32(...parts, 'short2');
  let s = '';
  for (let i = 0; i < 8; i++) {
    s += SHORT_ALPHABET[(i < 5 ? h : h2) & 31];
    if (i < 5) h >>>= 5;
    else h2 >>>= 5;
  }
  return s;
}

const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)];

/** `text` padded or cut (on a character boundary) to exactly `bytes` UTF-8 bytes. */
export function fitBytes(text: string, bytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length === bytes) return text;
  if (buf.length < bytes) return text + ' '.repeat(bytes - buf.length - 1) + '\n';
  let end = bytes;
  while (end > 0 && (buf[end] & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8') + ' '.repeat(bytes - end);
}

const allIndices = (n: number): IndexList => ({ length: n, at: (i) => i });
const listOf = (indices: number[]): IndexList => ({ length: indices.length, at: (i) => indices[i] });

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

export const USERS: SiteUser[] = [
  { id: 'u-1', username: 'demo', password: 'demo', name: 'Demo User', email: 'demo@example.com' },
  { id: 'u-2', username: 'other', password: 'other', name: 'Other User', email: 'other@example.com' },
];

// ---------------------------------------------------------------------------------------------
// Step outputs
// ---------------------------------------------------------------------------------------------

const DANGEROUS_HTML = [
  '<script>alert(1)</script>',
  '<img src=x onerror="alert(\'xss\')">',
  '[click me](javascript:alert(1))',
  '<iframe src="https://example.com"></iframe>',
  '![remote image](https://example.com/x.png)',
  '<style>body { display: none }</style>',
  '<a href="https://example.com" onclick="alert(2)">external link</a>',
  '<form action="https://example.com/steal"><input name="q" value="x"><button>Go</button></form>',
  '<svg onload="alert(3)"><circle r="5"/></svg>',
  '<link rel="stylesheet" href="https://example.com/evil.css">',
  // Text after an inline raw tag (marked flags it as already escaped), in a paragraph, a heading,
  // a table cell and link text; then a refresh, a prefetch and a full-page style overlay.
  'a <code> <img/src=x onerror=alert(1)> b',
  '#### Heading <kbd> <img/src=x onerror=alert(5)>',
  '| cell <code> | x |\n|---|---|\n| <code> <img/src=x onerror=alert(6)> | [link <kbd> <img/src=x onerror=alert(7)>](https://example.com) |',
  '<meta http-equiv="refresh" content="0;url=https://example.com/">',
  '<link rel="dns-prefetch" href="https://example.com">',
  '<div style="position:fixed;inset:0;background:#fff;z-index:9999">Fake sign-in</div>',
].join('\n\n');

function stepMarkdown(name: string, iteration: number, status: string, variant: number, plain: boolean, dangerous: boolean): string {
  const rnd = mulberry32(hash32('step-output', variant));
  const rows = Array.from({ length: 3 + Math.floor(rnd() * 5) }, (_, i) => {
    const v = Math.floor(rnd() * 1000);
    return plain ? `| item ${i + 1} | ${v} | ok |` : `| item ${i + 1} \\| piped | ${v} | ${pick(rnd, ['ok', '"quoted", value', '=1+1', 'Ünïcödé 🫁', '<b>bold</b>'])} |`;
  });
  const parts = [
    `## ${name}`,
    `Run **${iteration}** of \`${name}\` ended with status *${status}*.`,
    '### Summary',
    `- processed: ${Math.floor(rnd() * 5000)} records\n- warnings: ${Math.floor(rnd() * 5)}\n- duration: ${(rnd() * 90).toFixed(1)} s`,
    '| Item | Value | Note |\n|---|---:|---|\n' + rows.join('\n'),
    '```json\n' + JSON.stringify({ ok: status !== 'failed', step: name, iteration, values: [1, 2, 3] }, null, 2) + '\n```',
    '> A quoted remark spanning\n> two lines.',
  ];
  if (status === 'failed') parts.push('```text\nTraceback (most recent call last):\n  File "step.py", line 42, in run\nValueError: input out of range\n```');
  if (!plain) parts.push('Unicode: Ünïcödé, 漢字, مرحبا \u200f, emoji 🫁📄, tab\there.');
  if (dangerous && !plain) parts.push('### Raw HTML from the step\n\n' + DANGEROUS_HTML);
  return parts.join('\n\n') + '\n';
}

/** A Markdown output of exactly `bytes` bytes (tables of rows), generated on demand. */
function bigMarkdown(title: string, bytes: number, variant: number, plain: boolean): string {
  if (bytes === 0) return '';
  const head = `## ${title}\n\n${plain ? '' : 'Raw: <script>alert("big")</script> Ünïcödé 🫁\n\n'}| # | Value | Checksum |\n|---:|---:|---|\n`;
  const chunks: string[] = [head];
  let len = Buffer.byteLength(head);
  const rnd = mulberry32(hash32('big-output', variant));
  for (let i = 1; len < bytes; i++) {
    const line = `| ${i} | ${Math.floor(rnd() * 1e9)} | ${Math.floor(rnd() * 4294967296).toString(16).padStart(8, '0')} |\n`;
    chunks.push(line);
    len += line.length;
  }
  return fitBytes(chunks.join(''), bytes);
}

const lazyCache = new Map<string, string>();
function cached(key: string, make: () => string): () => string {
  return () => {
    let v = lazyCache.get(key);
    if (v === undefined) {
      v = make();
      if (lazyCache.size > 8) lazyCache.delete(lazyCache.keys().next().value as string);
      lazyCache.set(key, v);
    }
    return v;
  };
}

interface StepPlan {
  name: string;
  status: SiteStep['status'];
  dangerous?: boolean;
  /** Fixed output size: the output is generated lazily. */
  bigSize?: number;
}

function buildSteps(execKey: string, start: number, plans: StepPlan[], plain: boolean, seed: number): { steps: SiteStep[]; end: number } {
  const rnd = mulberry32(hash32(seed, 'steps', execKey));
  const counts = new Map<string, number>();
  let t = start;
  const steps = plans.map((p, i): SiteStep => {
    const iteration = (counts.get(p.name) ?? 0) + 1;
    counts.set(p.name, iteration);
    const dur = p.status === 'skipped' ? 0 : Math.floor(2000 + rnd() * 90_000);
    const startedAt = iso(t);
    const finishedAt = p.status === 'running' ? null : iso(t + dur);
    t += dur + 500;
    const variant = hash32(seed, execKey, i);
    let output: () => string;
    let outputSize: number;
    if (p.status === 'skipped') {
      output = () => '';
      outputSize = 0;
    } else if (p.bigSize !== undefined) {
      const size = p.bigSize;
      output = cached(`${execKey}/${i}/${size}/${plain}`, () => bigMarkdown(`${p.name} (${iteration})`, size, variant, plain));
      outputSize = size;
    } else {
      const text = stepMarkdown(p.name, iteration, p.status === 'running' ? 'running' : p.status, variant, plain, !!p.dangerous);
      output = () => text;
      outputSize = Buffer.byteLength(text);
    }
    return { id: `s${i + 1}`, name: p.name, status: p.status, iteration, startedAt, finishedAt, outputSize, output };
  });
  return { steps, end: t };
}

function makeExecution(
  id: string,
  workflowId: string,
  status: ExecutionStatus,
  start: number,
  plans: StepPlan[],
  plain: boolean,
  seed: number,
  role: string,
  finishedPlans?: StepPlan[],
): SiteExecution {
  const { steps, end } = buildSteps(id, start, plans, plain, seed);
  const finished = status === 'running' || status === 'queued';
  const exec: SiteExecution = { id, workflowId, status, startedAt: iso(start), finishedAt: finished ? null : iso(end), steps, role };
  if (finishedPlans) {
    const f = buildSteps(id, start, finishedPlans, plain, seed);
    exec.finished = { finishedAt: iso(f.end), steps: f.steps };
  }
  return exec;
}

// ---------------------------------------------------------------------------------------------
// Workflow 1: the demo workflow
// ---------------------------------------------------------------------------------------------

type FileKind = 'png' | 'png-big' | 'jpeg' | 'jpeg-big' | 'text' | 'csv' | 'pdf' | 'octet' | 'empty' | 'dicom' | 'png-corrupt';

interface FilePlan {
  name: string;
  plain: string;
  kind: FileKind;
}
interface CasePlan {
  order: string | null;
  ext: [string | null, string | null];
  ent: [string | null, string | null];
  files: FilePlan[];
}

const F = (name: string, plain: string, kind: FileKind): FilePlan => ({ name, plain, kind });

const LONG_FILENAME = 'Ω'.repeat(100) + ' very long original filename of a scan that goes past the 255 byte limit of file systems' + '.jpg';

const W1_CASES: CasePlan[] = [
  { order: '11', ext: ['EXT-0001', 'EXT-0001'], ent: ['PAT-1001', 'PAT-1001'], files: [F('Scan.PNG', 'scan-a.png', 'png-big'), F('scan.png', 'scan-b.png', 'png')] },
  { order: '11', ext: ['EXT-0002', 'EXT-0002'], ent: [null, null], files: [F('..', 'image-2.jpg', 'jpeg'), F('../../etc/passwd', 'passwd.txt', 'text')] },
  { order: '11', ext: [null, null], ent: ['PAT-1003', 'PAT-1003'], files: [F('CON.txt', 'con.txt', 'csv'), F('NUL', 'nul-file', 'octet'), F('Röntgen Ärm.jpg', 'xray.jpg', 'jpeg-big')] },
  { order: '12', ext: [null, null], ent: [null, null], files: [F('a/b\\c.png', 'abc.png', 'png'), F(LONG_FILENAME, 'long-name.jpg', 'jpeg')] },
  { order: '12', ext: ['EXT-0005', 'EXT-0005'], ent: ['PAT-1005', 'PAT-1005'], files: [F('\u200fscan \u{1FAC1} rtl.png', 'scan-rtl.png', 'png'), F('ctrl\u0001\tname.jpg', 'ctrl-name.jpg', 'jpeg')] },
  { order: '12', ext: ['ext/0006', 'EXT-0006'], ent: [null, null], files: [F('trailing. . ', 'trailing.txt', 'text'), F('<>:"|?*.png', 'symbols.png', 'png'), F('empty.bin', 'empty.bin', 'empty')] },
  { order: '13', ext: ['0007', '0007'], ent: ['PAT 1007 ✓', 'PAT-1007'], files: [F('.hidden', 'hidden.txt', 'text'), F('report.pdf', 'report.pdf', 'pdf'), F('photo.JPEG', 'photo.jpeg', 'jpeg')] },
  { order: '13', ext: ['EXT-0008', 'EXT-0008'], ent: ['PAT-1008', 'PAT-1008'], files: [F('scan.png', 'scan.png', 'png-big')] },
  { order: null, ext: [null, null], ent: [null, null], files: [F('README', 'README', 'text'), F('x.jpg', 'x.jpg', 'jpeg')] },
  { order: null, ext: ['EXT-0010', 'EXT-0010'], ent: [null, null], files: [F('data, "quoted".csv', 'data.csv', 'csv'), F('img.png', 'img.png', 'png')] },
  { order: '13', ext: ['=HYPERLINK("http://evil.example")', 'EXT-0011'], ent: [null, null], files: [F('Scan.PNG', 'scan.png', 'png'), F('scan (2).png', 'scan-2.png', 'png')] },
  {
    order: '11',
    ext: ['EXT-0012', 'EXT-0012'],
    ent: ['PAT-1012', 'PAT-1012'],
    files: [F('1.png', '1.png', 'png'), F('1.png', '1.png', 'png'), F('series.dcm', 'series.dcm', 'dicom'), F('CT 🫁 série.jpg', 'ct-series.jpg', 'jpeg'), F('broken.png', 'broken.png', 'png-corrupt')],
  },
];

function fileContent(kind: FileKind, variant: number, rnd: () => number, plain: boolean): { content: ContentSpec; contentType: string } {
  switch (kind) {
    case 'png':
      return { content: { kind: 'png', width: 320, height: 240, variant }, contentType: 'image/png' };
    case 'png-big':
      return { content: { kind: 'png', width: 640, height: 480, variant }, contentType: 'image/png' };
    case 'jpeg':
      return { content: { kind: 'jpeg', width: 320, height: 240, variant, quality: 80 }, contentType: 'image/jpeg' };
    case 'jpeg-big':
      return { content: { kind: 'jpeg', width: 640, height: 480, variant, quality: 85 }, contentType: 'image/jpeg' };
    case 'pdf':
      return { content: { kind: 'pdf', variant }, contentType: 'application/pdf' };
    case 'text': {
      const lines = Array.from({ length: 3 + Math.floor(rnd() * 10) }, (_, i) => `line ${i + 1}: ${plain ? 'plain text' : 'Ünïcödé text 🫁, "quoted"'} ${Math.floor(rnd() * 1e6)}`);
      return { content: { kind: 'text', text: lines.join('\n') + '\n' }, contentType: 'text/plain' };
    }
    case 'csv': {
      const rows = Array.from({ length: 5 + Math.floor(rnd() * 20) }, (_, i) => `${i + 1},${Math.floor(rnd() * 1000)},${plain ? 'value' : '"a, ""b"""'}`);
      return { content: { kind: 'text', text: 'id,score,label\r\n' + rows.join('\r\n') + '\r\n' }, contentType: 'text/csv' };
    }
    case 'octet':
      return { content: { kind: 'blocks', seed: variant, size: 4096 + Math.floor(rnd() * 60_000) }, contentType: 'application/octet-stream' };
    case 'dicom':
      return { content: { kind: 'blocks', seed: variant, size: 3 * 1024 * 1024 + 12345 }, contentType: 'application/dicom' };
    case 'empty':
      return { content: { kind: 'blocks', seed: variant, size: 0 }, contentType: 'application/octet-stream' };
    case 'png-corrupt': // annotated like an image, but its bytes do not decode
      return { content: { kind: 'corrupt-png', width: 320, height: 240 }, contentType: 'image/png' };
  }
}

const W1_METADATA: [string, string, (rnd: () => number, plain: boolean) => MetaValue][] = [
  ['age', 'age', (r) => 30 + Math.floor(r() * 50)],
  ['sex', 'sex', (r) => pick(r, ['F', 'M'])],
  ['smoker', 'smoker', (r) => r() < 0.5],
  ['site', 'site', (r, p) => (p ? pick(r, ['Zurich', 'Sao Paulo', 'Krakow']) : pick(r, ['Zürich', 'São Paulo', 'Kraków', '東京']))],
  ['note', 'note', (r, p) => (p ? pick(r, [null, 'routine', 'urgent']) : pick(r, [null, 'line 1\nline 2', '=1+1', '+44 20', '-x', '@import', '\ttabbed', 'a, "b"']))],
  ['scanner, model', 'scanner_model', (r, p) => (p ? 'GE Revolution' : 'GE "Revolution" 256')],
  ['weight_kg', 'weight_kg', (r) => Math.round((50 + r() * 50) * 10) / 10],
  ['consent', 'consent', (r) => pick(r, [true, false, null])],
];

const CHOICES = ['benign', 'malignant', 'indeterminate'];
const CHOICES_AWKWARD = ['benign', 'malignant, suspected', '"indeterminate"'];
const FINDINGS = ['nodule', 'effusion', 'consolidation', 'emphysema'];
const FINDINGS_AWKWARD = ['nodule', 'effusion', 'ground-glass; opacity', 'Ünïcödé 🫁'];
const TEXTS = ['Looks normal', 'Follow up in 6 months', 'Small nodule, right lower lobe', 'No change since last scan', null, ''];
const TEXTS_AWKWARD = [
  '=SUM(A1:A9)',
  '+49 30 1234',
  '-5 mm',
  '@reader please check',
  '\tleading tab',
  '\rleading CR',
  'He said "hi", then left',
  'line one\nline two\r\nline three',
  'Ünïcödé 🫁 \u200fمرحبا',
  '=HYPERLINK("http://evil.example","click")',
  'comma, separated, values',
  '',
  null,
  'plain comment',
];
const LABELS = ['nodule', 'lesion', 'artifact', 'mass'];
const LABELS_AWKWARD = ['nodule', 'Läsion (rechts)', 'artifact', '<b>mass</b>', 'ground-glass 🫁', 'a/b'];
const COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', null, null];

function randomShapes(rnd: () => number, width: number, height: number, labels: string[], first: number): Shape[] {
  const kinds: Shape['kind'][] = ['box', 'polygon', 'polyline', 'point'];
  const n = 1 + Math.floor(rnd() * 4);
  const P = (): [number, number] => [Math.round(rnd() * (width - 1) * 2) / 2, Math.round(rnd() * (height - 1) * 2) / 2];
  return Array.from({ length: n }, (_, i): Shape => {
    const kind = kinds[(first + i) % kinds.length];
    let points: [number, number][];
    if (kind === 'box') {
      const a = P();
      const b = P();
      points = [
        [Math.min(a[0], b[0]), Math.min(a[1], b[1])],
        [Math.max(a[0], b[0]), Math.max(a[1], b[1])],
      ];
    } else if (kind === 'point') points = [P()];
    else {
      const cx = rnd() * width;
      const cy = rnd() * height;
      const r = Math.min(width, height) * (0.05 + rnd() * 0.2);
      const k = kind === 'polygon' ? 3 + Math.floor(rnd() * 5) : 2 + Math.floor(rnd() * 4);
      points = Array.from({ length: k }, (_, j) => {
        const a = (j / k) * Math.PI * 2 + rnd() * 0.5;
        return [
          Math.round(Math.max(0, Math.min(width - 1, cx + Math.cos(a) * r))),
          Math.round(Math.max(0, Math.min(height - 1, cy + Math.sin(a) * r))),
        ] as [number, number];
      });
    }
    return { kind, points, label: pick(rnd, labels), color: pick(rnd, COLORS) };
  });
}

interface Reader {
  id: string;
  name: string;
}

function buildEagerWorkflow(opts: {
  seed: number;
  plain: boolean;
  id: string;
  name: string;
  orders: Order[];
  questions: Question[];
  cases: CasePlan[];
  readers: Reader[];
  /** Number of submissions of case i. */
  submissionCount: (i: number) => number;
  answer: (q: Question, rnd: () => number, draft: boolean) => Answer;
  labels: string[];
  metadata: (rnd: () => number, i: number) => Record<string, MetaValue>;
  deniedUserIds: string[];
  executions: SiteExecution[];
  start: number;
}): { workflow: SiteWorkflow; files: SiteFile[] } {
  const { seed, plain, id: wid } = opts;
  const allFiles: SiteFile[] = [];
  const cases: SiteCase[] = opts.cases.map((plan, i) => {
    const rnd = mulberry32(hash32(seed, 'case', wid, i));
    const caseId = uuidFrom(seed, 'case', wid, i);
    const created = opts.start + i * DAY + Math.floor(rnd() * HOUR);
    const files = plan.files.map((f, j): SiteFile => {
      const variant = hash32(seed, 'file', wid, i, j) % 100_000;
      const { content, contentType } = fileContent(f.kind, variant, rnd, plain);
      return {
        uuid: uuidFrom(seed, 'file', wid, i, j),
        originalFilename: plain ? f.plain : f.name,
        contentType,
        createdAt: iso(created + (j + 1) * 37_000),
        workflowId: wid,
        caseId,
        content,
      };
    });
    allFiles.push(...files);
    return {
      id: caseId,
      shortId: shortIdFrom(seed, wid, i),
      externalId: plain ? plan.ext[1] : plan.ext[0],
      entityExternalId: plain ? plan.ent[1] : plan.ent[0],
      orderId: plan.order,
      metadata: opts.metadata(rnd, i),
      files,
    };
  });

  const submissions: Submission[][] = cases.map((c, i) => {
    const n = opts.submissionCount(i);
    return Array.from({ length: n }, (_, j): Submission => {
      const rnd = mulberry32(hash32(seed, 'submission', wid, i, j));
      // Reader pattern: r1, r2, r1 again (repeat), r3 (draft).
      const reader = opts.readers[[0, 1, 0, 2][j % 4] % opts.readers.length];
      const draft = j === 3 || (j === 1 && i % 3 === 0);
      const answers: Record<string, Answer> = {};
      for (const q of opts.questions) answers[q.key] = opts.answer(q, rnd, draft);
      return {
        id: uuidFrom(seed, 'submission', wid, i, j),
        caseId: c.id,
        reader: { ...reader },
        status: draft ? 'draft' : 'submitted',
        submittedAt: draft ? null : iso(opts.start + i * DAY + (j + 2) * HOUR + Math.floor(rnd() * HOUR)),
        answers,
      };
    });
  });

  const annotations: Annotation[][] = cases.map((c, i) => {
    const out: Annotation[] = [];
    submissions[i].forEach((s, j) => {
      c.files.forEach((f, k) => {
        if (!isImage(f.content) && f.content.kind !== 'corrupt-png') return;
        const rnd = mulberry32(hash32(seed, 'annotation', wid, i, j, k));
        if (rnd() < 0.2) return; // some images are not annotated by every submission
        const { width, height } = f.content as { width: number; height: number };
        out.push({ fileUuid: f.uuid, submissionId: s.id, shapes: randomShapes(rnd, width, height, opts.labels, i + j + k) });
      });
    });
    return out;
  });

  const byOrder = new Map<string | null, IndexList>();
  byOrder.set(null, allIndices(cases.length));
  for (const o of opts.orders) byOrder.set(o.id, listOf(cases.flatMap((c, i) => (c.orderId === o.id ? [i] : []))));

  return {
    files: allFiles,
    workflow: {
      id: wid,
      name: opts.name,
      orders: opts.orders,
      questions: opts.questions,
      deniedUserIds: opts.deniedUserIds,
      caseCount: cases.length,
      caseAt: (i) => cases[i],
      casesOfOrder: (o) => byOrder.get(o),
      submissionsOf: (i) => submissions[i],
      annotationsOf: (i) => annotations[i],
      executions: opts.executions,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The dataset
// ---------------------------------------------------------------------------------------------

export function generateData(config: Pick<SiteConfig, 'seed' | 'plainNames' | 'scaleCases' | 'scaleFilesPerCase' | 'scaleFileSize' | 'scaleSubmissionsPerCase' | 'scaleDistinctContents' | 'executionSteps' | 'stepOutputSize' | 'hugeStepOutputSize'>): Dataset {
  const seed = config.seed;
  const plain = config.plainNames;
  const N = (awkward: string, plainText: string) => (plain ? plainText : awkward);

  // ----- executions -------------------------------------------------------------------------
  const w1Steps: StepPlan[] = [
    { name: 'Fetch inputs', status: 'success' },
    { name: N('Segment / classify', 'Segment and classify'), status: 'success', dangerous: true },
    { name: N('..', 'Check'), status: 'success' },
    { name: 'Retry loop', status: 'success' },
    { name: 'Retry loop', status: 'success', dangerous: true },
    { name: 'Retry loop', status: 'success' },
    { name: N('CON', 'Convert'), status: 'success' },
    { name: N('Report 📄 — Ünïcode <b>', 'Report'), status: 'success', dangerous: true },
    { name: 'Upload results', status: 'success' },
  ];
  const withStatus = (plans: StepPlan[], statuses: SiteStep['status'][]): StepPlan[] => plans.map((p, i) => ({ ...p, status: statuses[i] ?? 'skipped' }));
  const t0 = BASE_TIME + 20 * DAY;
  const ex = (id: string, wid: string, status: ExecutionStatus, start: number, plans: StepPlan[], role: string, finished?: StepPlan[]) =>
    makeExecution(id, wid, status, start, plans, plain, seed, role, finished);

  const w1Executions = [
    ex('1006', '1', 'running', t0 + 10 * DAY, withStatus(w1Steps, ['success', 'success', 'success', 'success', 'success', 'running']).slice(0, 6), 'running: turns to success after runningExecutionSec or /__admin/executions/1006/finish', w1Steps),
    ex('1005', '1', 'success', t0 + 8 * DAY, w1Steps, 'success; awkward step names, "Retry loop" x3, raw HTML/script in outputs'),
    ex('1004', '1', 'failed', t0 + 6 * DAY, withStatus(w1Steps, ['success', 'success', 'success', 'failed', 'failed', 'success', 'failed']), 'failed; failed and skipped steps'),
    ex(
      '1003',
      '1',
      'success',
      t0 + 4 * DAY,
      [
        { name: 'Fetch inputs', status: 'success' },
        { name: N('Generate report 📄', 'Generate report'), status: 'success', bigSize: config.hugeStepOutputSize },
        { name: 'Notify', status: 'skipped' },
      ],
      'success; step s2 has the huge (5 MB) output',
    ),
    ex('1002', '1', 'cancelled', t0 + 2 * DAY, withStatus(w1Steps, ['success', 'success', 'success', 'success']), 'cancelled'),
    ex(
      '1001',
      '1',
      'success',
      t0,
      [
        { name: 'Fetch inputs', status: 'success' },
        { name: 'Process', status: 'success' },
        { name: 'Report', status: 'success' },
      ],
      'success; three plain steps',
    ),
  ];
  const w2Executions = [
    ex('2002', '2', 'success', t0 + 7 * DAY, [
      { name: 'Import', status: 'success' },
      { name: 'Score', status: 'success' },
      { name: 'Publish', status: 'success' },
    ], 'success'),
    ex('2001', '2', 'failed', t0 + 3 * DAY, [
      { name: 'Import', status: 'success' },
      { name: 'Score', status: 'failed' },
      { name: 'Publish', status: 'skipped' },
    ], 'failed'),
  ];
  const bigPlans: StepPlan[] = Array.from({ length: config.executionSteps }, (_, i) => ({
    name: i % 10 === 9 ? 'Checkpoint' : `Process batch ${i + 1}`,
    status: 'success',
    bigSize: config.stepOutputSize,
  }));
  const w3Executions = [
    ex('3003', '3', 'queued', t0 + 9 * DAY, [], 'queued (never starts)'),
    ex('3002', '3', 'success', t0 + 7.5 * DAY, bigPlans, `big: ${config.executionSteps} steps of ${config.stepOutputSize} bytes`),
    ex('3001', '3', 'success', t0 + 1 * DAY, [
      { name: 'Import', status: 'success' },
      { name: 'Index', status: 'success' },
    ], 'success'),
  ];

  // ----- workflow 1 ---------------------------------------------------------------------------
  const readers1: Reader[] = [
    { id: 'u-101', name: N('Dr. Ada "Ace" Lovelace', 'Ada Lovelace') },
    { id: 'u-102', name: N('Müller, Jürgen', 'Juergen Mueller') },
    { id: 'u-103', name: N('李医生 \u200f=cmd', 'Li Wei') },
  ];
  const questions1: Question[] = [
    { key: 'diagnosis', label: 'Diagnosis', type: 'choice' },
    { key: 'confidence', label: 'Confidence (%)', type: 'number' },
    { key: 'nodule_present', label: 'Nodule present?', type: 'boolean' },
    { key: 'findings', label: 'Findings', type: 'multichoice' },
    { key: 'comment', label: N('Comment, "free text"', 'Comment'), type: 'text' },
    { key: 'follow_up', label: N('Follow-up — Ünïcode', 'Follow-up'), type: 'text' },
  ];
  const answer1 = (q: Question, rnd: () => number, draft: boolean): Answer => {
    if (draft && rnd() < 0.4) return null;
    switch (q.type) {
      case 'choice':
        return pick(rnd, plain ? CHOICES : CHOICES_AWKWARD);
      case 'number':
        return rnd() < 0.1 ? null : Math.round(rnd() * 1000) / 10;
      case 'boolean':
        return rnd() < 0.1 ? null : rnd() < 0.5;
      case 'multichoice': {
        const all = plain ? FINDINGS : FINDINGS_AWKWARD;
        return all.filter(() => rnd() < 0.45);
      }
      case 'text':
        return pick(rnd, plain ? TEXTS : TEXTS_AWKWARD);
    }
  };
  const w1 = buildEagerWorkflow({
    seed,
    plain,
    id: '1',
    name: N('Lung CT: "Screening" 2024/25 — Ünïcode 🫁', 'Demo workflow'),
    orders: [
      { id: '11', name: 'Batch A' },
      { id: '12', name: N('\u200fOrder <B>\\C. ', 'Batch B') },
      {
        id: '13',
        name: N(
          'Follow-up cohort — très long nom de commande, ' + 'avec des caractères accentués é à ü '.repeat(7) + 'fin.',
          'Follow-up cohort ' + 'with a very long order name '.repeat(10).trim(),
        ),
      },
    ],
    questions: questions1,
    cases: W1_CASES,
    readers: readers1,
    submissionCount: (i) => (i * 7 + 1) % 5,
    answer: answer1,
    labels: plain ? LABELS : LABELS_AWKWARD,
    metadata: (rnd) => {
      const out: Record<string, MetaValue> = {};
      for (const [key, plainKey, value] of W1_METADATA) if (rnd() < 0.6) out[plain ? plainKey : key] = value(rnd, plain);
      if (Object.keys(out).length === 0) out.age = 50;
      return out;
    },
    deniedUserIds: [],
    executions: w1Executions,
    start: BASE_TIME,
  });

  // ----- workflow 2 ---------------------------------------------------------------------------
  const w2 = buildEagerWorkflow({
    seed,
    plain: true,
    id: '2',
    name: 'Second workflow',
    orders: [{ id: '21', name: 'Main order' }],
    questions: [
      { key: 'quality', label: 'Image quality', type: 'choice' },
      { key: 'ok', label: 'Usable', type: 'boolean' },
    ],
    cases: [
      { order: '21', ext: ['S2-001', 'S2-001'], ent: [null, null], files: [F('front.png', 'front.png', 'png'), F('side.jpg', 'side.jpg', 'jpeg')] },
      { order: '21', ext: ['S2-002', 'S2-002'], ent: ['P-2', 'P-2'], files: [F('front.png', 'front.png', 'png')] },
      { order: '21', ext: [null, null], ent: [null, null], files: [F('notes.txt', 'notes.txt', 'text')] },
    ],
    readers: [{ id: 'u-201', name: 'Grace Hopper' }],
    submissionCount: () => 1,
    answer: (q, rnd) => (q.type === 'boolean' ? rnd() < 0.7 : pick(rnd, ['good', 'fair', 'poor'])),
    labels: LABELS,
    metadata: (rnd, i) => ({ index: i + 1, site: pick(rnd, ['North', 'South']) }),
    deniedUserIds: ['u-2'],
    executions: w2Executions,
    start: BASE_TIME + 3 * DAY,
  });

  // ----- workflow 3: scale, computed on demand -----------------------------------------------
  const nCases = config.scaleCases;
  const perCase = config.scaleFilesPerCase;
  const nFiles = nCases * perCase;
  const readers3: Reader[] = [
    { id: 'u-301', name: 'Reader One' },
    { id: 'u-302', name: 'Reader Two' },
    { id: 'u-303', name: 'Reader Three' },
  ];
  const questions3: Question[] = [
    { key: 'score', label: 'Score', type: 'number' },
    { key: 'grade', label: 'Grade', type: 'choice' },
    { key: 'ok', label: 'OK', type: 'boolean' },
    { key: 'tags', label: 'Tags', type: 'multichoice' },
    { key: 'note', label: 'Note', type: 'text' },
  ];
  const scaleStart = BASE_TIME - 30 * DAY;
  const scaleFile = (n: number): SiteFile => {
    const i = Math.floor(n / perCase);
    return {
      uuid: scaleFileUuid(seed, n),
      originalFilename: `scan-${n + 1}.bin`,
      contentType: 'application/octet-stream',
      createdAt: iso(scaleStart + i * MIN + (n % perCase) * 1000),
      workflowId: '3',
      caseId: uuidFrom(seed, 'scale-case', i),
      content: { kind: 'blocks', seed: hash32(seed, 'scale-bytes', config.scaleDistinctContents > 0 ? n % config.scaleDistinctContents : n), size: config.scaleFileSize },
    };
  };
  const scaleCase = (i: number): SiteCase => {
    const pad = String(i + 1).padStart(6, '0');
    return {
      id: uuidFrom(seed, 'scale-case', i),
      shortId: shortIdFrom(seed, 'scale', i),
      externalId: `SCALE-${pad}`,
      entityExternalId: i % 3 === 0 ? null : `ENT-${pad}`,
      orderId: '31',
      metadata: { index: i + 1, batch: `B${i % 10}`, flagged: i % 7 === 0 },
      files: Array.from({ length: perCase }, (_, j) => scaleFile(i * perCase + j)),
    };
  };
  const w3: SiteWorkflow = {
    id: '3',
    name: 'Scale workflow',
    orders: [{ id: '31', name: 'All scans' }],
    questions: questions3,
    deniedUserIds: [],
    caseCount: nCases,
    caseAt: scaleCase,
    casesOfOrder: (o) => (o === null || o === '31' ? allIndices(nCases) : undefined),
    submissionsOf: (i) =>
      Array.from({ length: config.scaleSubmissionsPerCase }, (_, j): Submission => {
        const rnd = mulberry32(hash32(seed, 'scale-sub', i, j));
        const draft = i % 10 === 9 && j === config.scaleSubmissionsPerCase - 1;
        return {
          id: uuidFrom(seed, 'scale-sub', i, j),
          caseId: uuidFrom(seed, 'scale-case', i),
          reader: { ...readers3[j % readers3.length] },
          status: draft ? 'draft' : 'submitted',
          submittedAt: draft ? null : iso(scaleStart + i * MIN + (j + 1) * 7000),
          answers: {
            score: Math.floor(rnd() * 100),
            grade: pick(rnd, ['A', 'B', 'C']),
            ok: rnd() < 0.8,
            tags: ['x', 'y', 'z'].filter(() => rnd() < 0.4),
            note: rnd() < 0.5 ? null : `note ${i + 1}.${j + 1}`,
          },
        };
      }),
    annotationsOf: () => [],
    executions: w3Executions,
  };

  // ----- indexes ------------------------------------------------------------------------------
  // ----- workflow 4: every image format and colour form (annotated exports) ---------------------
  const w4 = buildFormatsWorkflow({ uuid: (...parts) => uuidFrom(seed, ...parts), iso, start: BASE_TIME + 5 * DAY });

  const workflows = [w1.workflow, w2.workflow, w3, w4.workflow];
  const filesByUuid = new Map<string, SiteFile>();
  for (const f of [...w1.files, ...w2.files, ...w4.files]) filesByUuid.set(f.uuid, f);
  const executions = [...w1Executions, ...w2Executions, ...w3Executions].sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  const execById = new Map(executions.map((e) => [e.id, e]));

  return {
    seed,
    plainNames: plain,
    users: USERS,
    workflows,
    workflow: (id) => workflows.find((w) => w.id === id),
    executions,
    execution: (id) => execById.get(id),
    file: (uuid) => {
      const f = filesByUuid.get(uuid);
      if (f) return f;
      const n = scaleFileNumber(seed, uuid);
      if (n < 0 || n >= nFiles || scaleFileUuid(seed, n) !== uuid) return undefined;
      return scaleFile(n);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// JSON views and paging
// ---------------------------------------------------------------------------------------------

export function fileJson(f: SiteFile): CaseFile {
  return { uuid: f.uuid, originalFilename: f.originalFilename, contentType: f.contentType, size: fileSize(f), createdAt: f.createdAt };
}

export function caseJson(c: SiteCase): Case {
  return {
    id: c.id,
    shortId: c.shortId,
    externalId: c.externalId,
    entityExternalId: c.entityExternalId,
    orderId: c.orderId,
    metadata: c.metadata,
    files: c.files.map(fileJson),
  };
}

export function stepJson(s: SiteStep): Step {
  return { id: s.id, name: s.name, status: s.status, iteration: s.iteration, startedAt: s.startedAt, finishedAt: s.finishedAt, outputSize: s.outputSize };
}

export class BadRequest extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Cursor {
  /** Position in the (filtered) list of cases, or in a flat list. */
  p: number;
  /** Offset within that case's items. */
  o: number;
}

export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify({ v: 1, ...c })).toString('base64url');
export function decodeCursor(s: string | null): Cursor {
  if (s === null || s === '') return { p: 0, o: 0 };
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as { v?: number; p?: unknown; o?: unknown };
    if (c.v === 1 && Number.isInteger(c.p) && Number.isInteger(c.o) && (c.p as number) >= 0 && (c.o as number) >= 0) return { p: c.p as number, o: c.o as number };
  } catch {
    /* fall through */
  }
  throw new BadRequest('bad_cursor', 'The cursor is not valid.');
}

/** Pages items that belong to cases (cases themselves, submissions, annotations) in case order. */
export function pageByCase<T>(cases: IndexList, itemsOf: (caseIndex: number) => T[], cursor: string | null, limit: number): { items: T[]; nextCursor: string | null } {
  let { p, o } = decodeCursor(cursor);
  const items: T[] = [];
  while (p < cases.length && items.length < limit) {
    const all = itemsOf(cases.at(p));
    const take = all.slice(o, o + (limit - items.length));
    items.push(...take);
    o += take.length;
    if (o >= all.length) {
      p++;
      o = 0;
    }
  }
  return { items, nextCursor: p < cases.length ? encodeCursor({ p, o }) : null };
}

export function pageFlat<T>(all: readonly T[], cursor: string | null, limit: number): { items: T[]; nextCursor: string | null } {
  const { p } = decodeCursor(cursor);
  const items = all.slice(p, p + limit);
  return { items, nextCursor: p + limit < all.length ? encodeCursor({ p: p + limit, o: 0 }) : null };
}

/** A JSON-able picture of the dataset (workflows 1 and 2 whole, the first cases of workflow 3), for determinism checks. */
export function snapshot(data: Dataset, scaleCases = 50): unknown {
  return {
    workflows: data.workflows.map((w) => {
      const n = w.id === '3' ? Math.min(scaleCases, w.caseCount) : w.caseCount;
      const idx = Array.from({ length: n }, (_, i) => i);
      return {
        id: w.id,
        name: w.name,
        orders: w.orders,
        questions: w.questions,
        caseCount: w.caseCount,
        cases: idx.map((i) => caseJson(w.caseAt(i))),
        submissions: idx.map((i) => w.submissionsOf(i)),
        annotations: idx.map((i) => w.annotationsOf(i)),
        orderCases: w.orders.map((o) => {
          const l = w.casesOfOrder(o.id)!;
          return Array.from({ length: Math.min(l.length, n) }, (_, i) => l.at(i));
        }),
      };
    }),
    executions: data.executions.map((e) => ({
      ...e,
      steps: e.steps.map((s) => ({ ...stepJson(s), output: s.outputSize <= 100_000 ? s.output() : null })),
      finished: e.finished && { finishedAt: e.finished.finishedAt, steps: e.finished.steps.map(stepJson) },
    })),
  };
}
