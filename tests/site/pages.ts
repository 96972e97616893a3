/**
 * Server-rendered HTML of the reference platform: a small single-page app (links are intercepted,
 * `<main>` is replaced, `history.pushState`), with the DOM anchors of `site-contract.md`.
 */
import { isExecutionFinished } from '../../lib/platform.ts';
import type { SiteExecution, SiteUser, SiteWorkflow } from './data.ts';
import { caseJson } from './data.ts';

export const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** Control characters made visible (names may hold them). */
const visible = (s: string): string => s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
const t = (s: unknown): string => esc(visible(String(s ?? '')));

export function fmtTime(isoTime: string | null): string {
  if (!isoTime) return '—';
  return isoTime.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function fmtDuration(a: string, b: string | null): string {
  if (!b) return '—';
  const s = Math.round((Date.parse(b) - Date.parse(a)) / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

const badge = (status: string) => `<span class="badge status-${esc(status)}" data-role="status">${esc(status)}</span>`;

export const CSS = `
:root { --bg:#f5f6f8; --panel:#fff; --border:#e2e5ea; --text:#1f2430; --muted:#6b7280; --accent:#3056d3; --accent-2:#2544a8; --nav:#1d2433; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color:var(--text); background:var(--bg); }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
.topnav { display:flex; align-items:center; gap:4px; height:52px; padding:0 20px; background:var(--nav); color:#cfd6e4; }
.topnav .brand { color:#fff; font-weight:650; font-size:16px; margin-right:18px; display:flex; align-items:center; gap:8px; }
.topnav .brand .logo { width:22px; height:22px; border-radius:6px; background:linear-gradient(135deg,#5b8cff,#9b5bff); display:inline-block; }
.topnav a.nav-link { color:#cfd6e4; padding:6px 10px; border-radius:6px; max-width:230px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
.topnav a.nav-link:hover { background:#2b3447; text-decoration:none; color:#fff; }
.topnav a.nav-link[aria-current="page"] { background:#354160; color:#fff; }
.topnav .spacer { flex:1; }
.topnav .user { display:flex; align-items:center; gap:10px; }
.topnav .avatar { width:28px; height:28px; border-radius:50%; background:#5b8cff; color:#fff; display:inline-flex; align-items:center; justify-content:center; font-weight:600; font-size:12px; }
.topnav form { margin:0; }
.topnav button { background:transparent; border:1px solid #3a4560; color:#cfd6e4; border-radius:6px; padding:4px 10px; cursor:pointer; font:inherit; }
main { max-width:1180px; margin:0 auto; padding:24px 20px 48px; }
.page-header { display:flex; align-items:flex-start; justify-content:space-between; gap:16px; flex-wrap:wrap; margin-bottom:16px; }
.page-header h1 { margin:0; font-size:22px; font-weight:650; overflow-wrap:anywhere; }
.page-header .subtitle { color:var(--muted); margin-top:4px; }
.page-actions { display:flex; gap:8px; align-items:center; flex-wrap:wrap; }
.btn { display:inline-flex; align-items:center; gap:6px; padding:7px 14px; border-radius:7px; border:1px solid var(--border); background:#fff; color:var(--text); font:inherit; font-weight:500; cursor:pointer; text-decoration:none; }
.btn:hover { background:#f0f2f6; text-decoration:none; }
.btn.primary { background:var(--accent); border-color:var(--accent); color:#fff; } .btn.primary:hover { background:var(--accent-2); }
.btn.small { padding:3px 10px; font-size:13px; }
.tabs { display:flex; gap:2px; border-bottom:1px solid var(--border); margin-bottom:16px; }
.tabs a { padding:8px 14px; color:var(--muted); border-bottom:2px solid transparent; margin-bottom:-1px; }
.tabs a.active { color:var(--text); border-bottom-color:var(--accent); font-weight:600; }
.card { background:var(--panel); border:1px solid var(--border); border-radius:10px; }
.filters { display:flex; align-items:center; gap:10px; padding:12px 14px; border-bottom:1px solid var(--border); }
.filters label { color:var(--muted); font-weight:500; }
.filters select { font:inherit; padding:5px 8px; border:1px solid var(--border); border-radius:6px; max-width:420px; background:#fff; }
.filters .count { margin-left:auto; color:var(--muted); }
table { width:100%; border-collapse:collapse; }
th, td { text-align:left; padding:9px 14px; border-bottom:1px solid var(--border); vertical-align:top; }
th { white-space:nowrap; font-size:12px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); font-weight:600; background:#fafbfc; }
tr:last-child td { border-bottom:0; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
td.row-actions { white-space:nowrap; text-align:right; }
td .files { color:var(--muted); font-size:13px; max-width:380px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.clip { display:block; max-width:260px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
h1 code { font-size:0.85em; font-weight:600; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:12.5px; }
.badge { display:inline-block; padding:2px 9px; border-radius:999px; font-size:12px; font-weight:600; background:#eef0f4; color:#4b5563; }
.status-success { background:#e3f6ea; color:#17753a; } .status-failed { background:#fde8e8; color:#b42323; }
.status-cancelled { background:#f1f1f1; color:#6b7280; } .status-running { background:#e6eeff; color:#2544a8; }
.status-queued { background:#fff4d6; color:#8a6100; } .status-skipped { background:#f4f4f5; color:#8b8b93; }
.grid { display:grid; grid-template-columns:repeat(auto-fill,minmax(300px,1fr)); gap:16px; margin-bottom:28px; }
.wf-card { padding:16px 18px; } .wf-card h2 { font-size:16px; margin:0 0 6px; overflow-wrap:anywhere; } .wf-card .meta { color:var(--muted); margin-bottom:12px; }
.wf-card .links { display:flex; gap:8px; }
h2.section { font-size:15px; margin:0 0 10px; }
details summary { cursor:pointer; color:var(--accent); }
pre.output { background:#f7f8fa; border:1px solid var(--border); border-radius:6px; padding:10px; max-height:320px; overflow:auto; white-space:pre-wrap; overflow-wrap:anywhere; font-size:12px; }
.muted { color:var(--muted); }
#toast { position:fixed; right:20px; bottom:20px; background:#1d2433; color:#fff; padding:10px 16px; border-radius:8px; box-shadow:0 6px 24px rgba(0,0,0,.2); }
.login-wrap { min-height:100vh; display:flex; align-items:center; justify-content:center; }
.login { width:340px; padding:28px; } .login h1 { font-size:20px; margin:0 0 18px; display:flex; gap:10px; align-items:center; }
.login label { display:block; font-weight:500; margin:12px 0 4px; } .login input { width:100%; font:inherit; padding:8px 10px; border:1px solid var(--border); border-radius:7px; }
.login .btn { width:100%; justify-content:center; margin-top:18px; } .login .error { background:#fde8e8; color:#b42323; padding:8px 10px; border-radius:6px; }
.login .hint { color:var(--muted); font-size:12px; margin-top:14px; text-align:center; }
@media (prefers-color-scheme: dark) {
  :root { color-scheme:dark; --bg:#0f131a; --panel:#161b26; --border:#2c3444; --text:#e6e9ef; --muted:#a3abba; --accent:#8fa8ff; --accent-2:#b0c2ff; --nav:#0b0e14; }
  .btn, .filters select, .login input { background:#1c2230; color:var(--text); }
  .btn:hover { background:#262e3e; }
  .btn.primary { background:#3d63dd; border-color:#3d63dd; } .btn.primary:hover { background:#5478ec; }
  th { background:#1a202c; }
  .badge { background:#262e3e; color:#c3c9d4; }
  .status-success { background:#17301f; color:#7ddc9f; } .status-failed, .login .error { background:#3a1f24; color:#ff9b9b; }
  .status-cancelled, .status-skipped { background:#262a31; color:#a3abba; } .status-running { background:#1e2a4a; color:#b7c8ff; }
  .status-queued { background:#3a2f12; color:#f3d27a; }
  pre.output { background:#111620; }
}
`;

/** The single-page-app script: link interception, partial loads, order selector, live status. */
export const SCRIPT = `
(() => {
  const FINISHED = ['success', 'failed', 'cancelled'];
  const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const main = () => document.querySelector('main');
  function markNav() {
    for (const a of document.querySelectorAll('.topnav a.nav-link')) {
      const wf = a.dataset.wf;
      const p = location.pathname;
      const on = wf ? (p === '/develop/workflows/' + wf || p.startsWith('/workflows/' + wf + '/')) : p === a.getAttribute('href');
      if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
  }
  async function navigate(url, push) {
    let res;
    try { res = await fetch(url, { headers: { 'X-Partial': '1', Accept: 'application/json' }, credentials: 'same-origin' }); }
    catch { location.assign(url); return; }
    const type = res.headers.get('Content-Type') || '';
    if (res.status === 401 || !type.includes('application/json')) { location.assign(url); return; }
    const data = await res.json();
    if (typeof data.main !== 'string') { location.assign(url); return; }
    if (push) history.pushState({}, '', url);
    const tpl = document.createElement('template');
    tpl.innerHTML = data.main.trim();
    const next = tpl.content.firstElementChild;
    main().replaceWith(next);
    document.title = data.title;
    markNav();
    window.scrollTo(0, 0);
  }
  window.__platformNavigate = (url) => navigate(url, true);
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target instanceof Element ? e.target.closest('a[href]') : null;
    if (!a || (a.target && a.target !== '_self') || a.hasAttribute('download') || a.hasAttribute('data-reload')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || (url.protocol !== 'http:' && url.protocol !== 'https:')) return;
    if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/__')) return;
    e.preventDefault();
    if (url.pathname === location.pathname && url.search === location.search && url.hash) { location.hash = url.hash; return; }
    navigate(url.pathname + url.search + url.hash, true);
  });
  window.addEventListener('popstate', () => navigate(location.pathname + location.search + location.hash, false));

  let toastTimer;
  document.addEventListener('click', (e) => {
    const b = e.target instanceof Element ? e.target.closest('[data-platform-action]') : null;
    if (!b) return;
    const toast = document.getElementById('toast');
    toast.textContent = 'The export will be emailed to you';
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { toast.hidden = true; }, 3000);
  });

  document.addEventListener('change', async (e) => {
    const sel = e.target;
    if (!(sel instanceof HTMLSelectElement) || sel.id !== 'workflow-order-select') return;
    const m = sel.closest('main');
    const wid = m.dataset.workflowId;
    const order = sel.value;
    const orders = {};
    for (const o of sel.options) if (o.value) orders[o.value] = o.textContent;
    const q = new URLSearchParams({ limit: '50' });
    if (order) q.set('order', order);
    const res = await fetch('/api/v1/workflows/' + encodeURIComponent(wid) + '/cases?' + q, { credentials: 'same-origin' });
    if (!res.ok || sel.value !== order) return;
    const page = await res.json();
    const body = m.querySelector('#cases-body');
    body.innerHTML = page.items.map((c) => '<tr data-case-id="' + esc(c.id) + '"><td><code>' + esc(c.shortId) + '</code></td><td>' + esc(c.externalId || '—') +
      '</td><td>' + esc(c.entityExternalId || '—') + '</td><td><span class="clip">' + esc(c.orderId ? orders[c.orderId] || c.orderId : '—') + '</span></td><td class="num">' + c.files.length +
      '</td><td><div class="files">' + esc(c.files.map((f) => f.originalFilename).join(', ')) + '</div></td></tr>').join('') ||
      '<tr><td colspan="6" class="muted">No cases.</td></tr>';
    const count = m.querySelector('#cases-count');
    const total = (order ? sel.selectedOptions[0].dataset.count : sel.dataset.total) || '';
    count.textContent = 'Showing ' + page.items.length + ' of ' + total + ' cases';
  });

  let polling = false;
  async function poll() {
    if (polling) return;
    polling = true;
    try {
      const m = main();
      if (m && m.dataset.page === 'execution' && !FINISHED.includes(m.dataset.status)) {
        const eid = m.dataset.executionId;
        const res = await fetch('/api/v1/executions/' + encodeURIComponent(eid), { credentials: 'same-origin' });
        if (res.ok) {
          const ex = await res.json();
          if (main() === m && ex.status !== m.dataset.status) {
            const part = await fetch(location.pathname, { headers: { 'X-Partial': '1' }, credentials: 'same-origin' });
            if (part.ok && main() === m) {
              const data = await part.json();
              const tpl = document.createElement('template');
              tpl.innerHTML = data.main.trim();
              const fresh = tpl.content.firstElementChild;
              for (const id of ['steps', 'exec-meta']) {
                const a = m.querySelector('#' + id), b = fresh.querySelector('#' + id);
                if (a && b) a.innerHTML = b.innerHTML;
              }
            }
            m.dataset.status = ex.status;
            const b = m.querySelector('.page-header [data-role="status"]');
            if (b) { b.textContent = ex.status; b.className = 'badge status-' + ex.status; }
          }
        }
      } else if (m && m.dataset.page === 'executions') {
        const rows = [...m.querySelectorAll('tr[data-execution-id][data-status]')].filter((r) => !FINISHED.includes(r.dataset.status));
        if (rows.length) {
          const res = await fetch('/api/v1/workflows/' + encodeURIComponent(m.dataset.workflowId) + '/executions?limit=500', { credentials: 'same-origin' });
          if (res.ok) {
            const page = await res.json();
            for (const r of rows) {
              const ex = page.items.find((x) => x.id === r.dataset.executionId);
              if (!ex || ex.status === r.dataset.status) continue;
              r.dataset.status = ex.status;
              const b = r.querySelector('[data-role="status"]');
              if (b) { b.textContent = ex.status; b.className = 'badge status-' + ex.status; }
              const f = r.querySelector('[data-role="finished"]');
              if (f && ex.finishedAt) f.textContent = ex.finishedAt.replace('T', ' ').replace(/\\.\\d+Z$/, ' UTC');
            }
          }
        }
      }
    } catch {} finally { polling = false; }
  }
  setInterval(poll, 1000);
  markNav();
})();
`;

export interface PageContext {
  user: SiteUser;
  workflows: SiteWorkflow[];
}

export interface RenderedPage {
  title: string;
  main: string;
  status?: number;
}

export function fullPage(ctx: PageContext, page: RenderedPage): string {
  const initials = ctx.user.name
    .split(/\s+/)
    .map((w) => w[0])
    .join('')
    .slice(0, 2)
    .toUpperCase();
  const nav = ctx.workflows.map((w) => `<a class="nav-link" data-wf="${esc(w.id)}" href="/develop/workflows/${encodeURIComponent(w.id)}" title="${esc(w.name)}">${t(w.name)}</a>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t(page.title)}</title>
<style>${CSS}</style>
</head>
<body>
<nav class="topnav">
  <a class="brand" href="/"><span class="logo"></span>Lumen Platform</a>
  <a class="nav-link" href="/">Overview</a>
  ${nav}
  <span class="spacer"></span>
  <span class="user"><span class="avatar" title="${esc(ctx.user.email)}">${esc(initials)}</span><span>${esc(ctx.user.name)}</span>
  <form method="post" action="/logout"><button type="submit">Sign out</button></form></span>
</nav>
${page.main}
<div id="toast" role="status" hidden></div>
<script>${SCRIPT}</script>
</body>
</html>`;
}

export function loginPage(opts: { error?: string; next?: string; username?: string }): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in · Lumen Platform</title><style>${CSS}</style></head>
<body>
<div class="login-wrap">
<form class="card login" method="post" action="/login">
  <h1><span class="logo" style="width:26px;height:26px;border-radius:7px;background:linear-gradient(135deg,#5b8cff,#9b5bff);display:inline-block"></span>Sign in</h1>
  ${opts.error ? `<div class="error" role="alert">${esc(opts.error)}</div>` : ''}
  ${opts.next ? `<input type="hidden" name="next" value="${esc(opts.next)}">` : ''}
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="username" value="${esc(opts.username ?? '')}" required autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button class="btn primary" type="submit">Sign in</button>
  <div class="hint">Reference platform · user <code>demo</code> / password <code>demo</code></div>
</form>
</div>
</body>
</html>`;
}

const tabs = (w: SiteWorkflow, active: 'cases' | 'executions') => `<nav class="tabs">
  <a class="${active === 'cases' ? 'active' : ''}" href="/develop/workflows/${encodeURIComponent(w.id)}">Cases</a>
  <a class="${active === 'executions' ? 'active' : ''}" href="/workflows/${encodeURIComponent(w.id)}/executions">Executions</a>
</nav>`;

export const CASES_ON_PAGE = 50;

export function casesRows(w: SiteWorkflow, orderId: string | null): string {
  const list = w.casesOfOrder(orderId);
  if (!list || list.length === 0) return '<tr><td colspan="6" class="muted">No cases.</td></tr>';
  const orderName = new Map(w.orders.map((o) => [o.id, o.name]));
  const rows: string[] = [];
  for (let k = 0; k < Math.min(CASES_ON_PAGE, list.length); k++) {
    const c = caseJson(w.caseAt(list.at(k)));
    rows.push(
      `<tr data-case-id="${esc(c.id)}"><td><code>${esc(c.shortId)}</code></td><td><span class="clip">${t(c.externalId ?? '—')}</span></td><td><span class="clip">${t(c.entityExternalId ?? '—')}</span></td><td><span class="clip" title="${esc(c.orderId ? orderName.get(c.orderId) : '')}">${t(c.orderId ? orderName.get(c.orderId) : '—')}</span></td><td class="num">${c.files.length}</td><td><div class="files">${t(c.files.map((f) => f.originalFilename).join(', '))}</div></td></tr>`,
    );
  }
  return rows.join('');
}

export function workflowPage(w: SiteWorkflow, orderId: string | null): RenderedPage {
  const total = w.caseCount;
  const shown = Math.min(CASES_ON_PAGE, w.casesOfOrder(orderId)?.length ?? 0);
  const options = w.orders
    .map((o) => `<option value="${esc(o.id)}" data-count="${w.casesOfOrder(o.id)?.length ?? 0}"${o.id === orderId ? ' selected' : ''}>${t(o.name)}</option>`)
    .join('');
  const main = `<main data-page="workflow" data-workflow-id="${esc(w.id)}">
<div class="page-header">
  <div><h1>${t(w.name)}</h1><div class="subtitle">Assessment workflow · ${total.toLocaleString('en-US')} cases · ${w.orders.length} order${w.orders.length === 1 ? '' : 's'} · ${w.questions.length} questions</div></div>
  <div class="page-actions">
    <button type="button" class="btn" data-platform-action="export-csv">Export CSV</button>
    <button type="button" class="btn" data-platform-action="export-case-files">Export Case Files</button>
  </div>
</div>
${tabs(w, 'cases')}
<section class="card">
  <div class="filters">
    <label for="workflow-order-select">Order</label>
    <select id="workflow-order-select" data-total="${total}">
      <option value="">All cases</option>${options}
    </select>
    <span class="count" id="cases-count">Showing ${shown} of ${orderId ? (w.casesOfOrder(orderId)?.length ?? 0) : total} cases</span>
  </div>
  <table>
    <thead><tr><th>Short ID</th><th>External ID</th><th>Entity ID</th><th>Order</th><th class="num">Files</th><th>File names</th></tr></thead>
    <tbody id="cases-body">${casesRows(w, orderId)}</tbody>
  </table>
</section>
</main>`;
  return { title: `${w.name} · Lumen Platform`, main };
}

export function executionsPage(w: SiteWorkflow, execs: SiteExecution[]): RenderedPage {
  const rows = execs
    .map(
      (e) => `<tr data-execution-id="${esc(e.id)}" data-status="${esc(e.status)}">
  <td><a href="/workflows/${encodeURIComponent(w.id)}/executions/${encodeURIComponent(e.id)}"><code>${esc(e.id)}</code></a></td>
  <td>${badge(e.status)}</td><td>${fmtTime(e.startedAt)}</td><td data-role="finished">${fmtTime(e.finishedAt)}</td><td class="num">${e.steps.length}</td>
  <td class="row-actions"><a class="btn small" href="/workflows/${encodeURIComponent(w.id)}/executions/${encodeURIComponent(e.id)}">View</a></td>
</tr>`,
    )
    .join('');
  const main = `<main data-page="executions" data-workflow-id="${esc(w.id)}">
<div class="page-header">
  <div><h1>${t(w.name)}</h1><div class="subtitle">Executions · newest first</div></div>
</div>
${tabs(w, 'executions')}
<section class="card">
  <table>
    <thead><tr><th>Execution</th><th>Status</th><th>Started</th><th>Finished</th><th class="num">Steps</th><th></th></tr></thead>
    <tbody>${rows || '<tr><td colspan="6" class="muted">No executions.</td></tr>'}</tbody>
  </table>
</section>
</main>`;
  return { title: `Executions · ${w.name} · Lumen Platform`, main };
}

export function executionPage(w: SiteWorkflow, e: SiteExecution): RenderedPage {
  const steps = e.steps
    .map((s, i) => {
      const out =
        s.outputSize === 0
          ? '<span class="muted">no output</span>'
          : s.outputSize <= 20_000
            ? `<details><summary>${fmtBytes(s.outputSize)}</summary><pre class="output">${esc(s.output())}</pre></details>`
            : `<a href="/api/v1/executions/${encodeURIComponent(e.id)}/steps/${encodeURIComponent(s.id)}/output" target="_blank" rel="noopener">${fmtBytes(s.outputSize)} (raw)</a>`;
      return `<tr data-step-id="${esc(s.id)}" data-status="${esc(s.status)}"><td class="num">${i + 1}</td><td>${t(s.name)}</td><td class="num">${s.iteration}</td><td>${badge(s.status)}</td><td>${fmtTime(s.startedAt)}</td><td>${fmtDuration(s.startedAt, s.finishedAt)}</td><td>${out}</td></tr>`;
    })
    .join('');
  const main = `<main data-page="execution" data-execution-id="${esc(e.id)}" data-status="${esc(e.status)}" data-workflow-id="${esc(w.id)}">
<div class="page-header">
  <div><h1>Execution <code>${esc(e.id)}</code> ${badge(e.status)}</h1>
  <div class="subtitle" id="exec-meta"><a href="/workflows/${encodeURIComponent(w.id)}/executions">${t(w.name)}</a> · started ${fmtTime(e.startedAt)} · ${isExecutionFinished(e.status) ? `finished ${fmtTime(e.finishedAt)} (${fmtDuration(e.startedAt, e.finishedAt)})` : 'not finished'} · ${e.steps.length} steps</div></div>
  <div class="page-actions">
    <button type="button" class="btn" data-platform-action="export-as">Export as…</button>
  </div>
</div>
${tabs(w, 'executions')}
<section class="card">
  <table>
    <thead><tr><th class="num">#</th><th>Step</th><th class="num">Iteration</th><th>Status</th><th>Started</th><th>Duration</th><th>Output</th></tr></thead>
    <tbody id="steps">${steps || '<tr><td colspan="7" class="muted">No steps yet.</td></tr>'}</tbody>
  </table>
</section>
</main>`;
  return { title: `Execution ${e.id} · ${w.name} · Lumen Platform`, main };
}

export function homePage(ctx: PageContext, recent: SiteExecution[]): RenderedPage {
  const cards = ctx.workflows
    .map(
      (w) => `<div class="card wf-card"><h2>${t(w.name)}</h2><div class="meta">${w.caseCount.toLocaleString('en-US')} cases · ${w.orders.length} order${w.orders.length === 1 ? '' : 's'} · ${w.executions.length} executions</div>
<div class="links"><a class="btn small primary" href="/develop/workflows/${encodeURIComponent(w.id)}">Open workflow</a><a class="btn small" href="/workflows/${encodeURIComponent(w.id)}/executions">Executions</a></div></div>`,
    )
    .join('');
  const byId = new Map(ctx.workflows.map((w) => [w.id, w]));
  const rows = recent
    .map((e) => {
      const w = byId.get(e.workflowId)!;
      return `<tr data-execution-id="${esc(e.id)}" data-status="${esc(e.status)}"><td><a href="/workflows/${encodeURIComponent(w.id)}/executions/${encodeURIComponent(e.id)}"><code>${esc(e.id)}</code></a></td><td>${t(w.name)}</td><td>${badge(e.status)}</td><td>${fmtTime(e.startedAt)}</td><td>${fmtTime(e.finishedAt)}</td></tr>`;
    })
    .join('');
  const main = `<main data-page="home">
<div class="page-header"><div><h1>Overview</h1><div class="subtitle">Welcome back, ${esc(ctx.user.name)}</div></div></div>
<div class="grid">${cards}</div>
<h2 class="section">Recent executions</h2>
<section class="card"><table><thead><tr><th>Execution</th><th>Workflow</th><th>Status</th><th>Started</th><th>Finished</th></tr></thead><tbody>${rows}</tbody></table></section>
</main>`;
  return { title: 'Overview · Lumen Platform', main };
}

export function errorPage(status: number, title: string, message: string): RenderedPage {
  return {
    status,
    title: `${title} · Lumen Platform`,
    main: `<main data-page="error" data-status-code="${status}"><div class="page-header"><div><h1>${esc(title)}</h1><div class="subtitle">${esc(message)}</div></div></div><p><a href="/">Back to the overview</a></p></main>`,
  };
}
