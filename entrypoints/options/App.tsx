import { useEffect, useMemo, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { extensionActions, type ExporterActions } from '../../components/actions';
import { planCaseFiles, previewTree, type TreeNode } from '../../lib/caseFilesPlan';
import { PathDeduper } from '../../lib/naming';
import { EXAMPLE_CONTEXT, parsePathTemplate, TEMPLATE_VARIABLES } from '../../lib/pathTemplate';
import type { Case } from '../../lib/platform';
import { builtInOrigins, checkParallel, MAX_PARALLEL, MIN_PARALLEL, normalizeOrigin, originPattern, type Settings } from '../../lib/settings';
import type { Favourite, HistoryEntry } from '../../lib/storage';
import { t, tParts } from '../../lib/i18n';
import { PreviewTree } from '../../components/PreviewTree';
import { History } from '../../components/options/History';
import { saveJsonFile } from '../../components/saveJsonFile';

type Note = { kind: 'ok' | 'error'; text: string } | null;

/** Sample cases for the favourites' preview (fictional, from EXAMPLE_CONTEXT). */
const SAMPLE_CASES: Case[] = [
  {
    ...EXAMPLE_CONTEXT.case,
    files: [EXAMPLE_CONTEXT.file, { ...EXAMPLE_CONTEXT.file, uuid: '9a1e4c2d-7b3f-4d8a-a6e5-0c9f1b2d3e45', originalFilename: 'scan side.png', contentType: 'image/png' }],
  },
  {
    ...EXAMPLE_CONTEXT.case,
    id: '5d7e9f0a-2b4c-4e6d-8f1a-3c5e7a9b1d20',
    shortId: 'C-1043',
    externalId: null,
    files: [{ ...EXAMPLE_CONTEXT.file, uuid: '0b2d4f6a-8c1e-4a3b-9d5f-7e9a1c3b5d70', originalFilename: 'report.pdf', contentType: 'application/pdf' }],
  },
];

function samplePreview(template: string): { tree: TreeNode[] } | { errors: string[] } {
  const parsed = parsePathTemplate(template);
  if (!parsed.ok) return { errors: parsed.errors.map((e) => e.message) };
  const paths = [...planCaseFiles(parsed.template, EXAMPLE_CONTEXT.workflow, EXAMPLE_CONTEXT.order, SAMPLE_CASES, new PathDeduper())].map((f) => f.path);
  return { tree: previewTree(paths) };
}

/** The options page: platform origins, favourite templates, export defaults, parallel downloads, history. */
export function App(props: { actions?: ExporterActions }) {
  const actions = props.actions ?? extensionActions;
  const [settings, setSettings] = useState<Settings | null>(null);
  const [favourites, setFavourites] = useState<Favourite[]>([]);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);

  const reloadFavourites = () => actions.listFavourites().then(setFavourites);
  const reloadHistory = () => void actions.listHistory(20).then(setHistory, () => {});
  useEffect(() => {
    actions.getSettings().then(setSettings, (err: Error) => setLoadError(err.message));
    reloadFavourites().catch((err: Error) => setLoadError(err.message));
    reloadHistory();
  }, [actions]);

  return (
    <main class="we-options">
      <h1>{t('optionsTitle')}</h1>
      {loadError && (
        <p class="we-error" role="alert">
          {t('loadSettingsFailed', loadError)}
        </p>
      )}
      <Origins actions={actions} settings={settings} onChange={setSettings} />
      <Favourites actions={actions} favourites={favourites} reload={reloadFavourites} />
      <Defaults actions={actions} settings={settings} favourites={favourites} onChange={setSettings} reloadFavourites={reloadFavourites} />
      <History entries={history} reload={reloadHistory} />
    </main>
  );
}

// ---------------------------------------------------------------------------------------------
// Platform origins
// ---------------------------------------------------------------------------------------------

function Origins(props: { actions: ExporterActions; settings: Settings | null; onChange: (s: Settings) => void }) {
  const [text, setText] = useState('');
  const [note, setNote] = useState<Note>(null);
  const [granted, setGranted] = useState<Record<string, boolean>>({});
  const builtIn = builtInOrigins();
  const added = props.settings?.origins.filter((o) => !builtIn.includes(o)) ?? [];

  useEffect(() => {
    for (const o of added)
      browser.permissions.contains({ origins: [originPattern(o)] }).then((ok) => setGranted((g) => ({ ...g, [o]: ok })), () => {});
  }, [added.join(' ')]);

  /** The permission prompt needs the click's user gesture: `permissions.request` is the first await. */
  const grantAndAdd = async (origin: string) => {
    let ok = false;
    try {
      const asked = browser.permissions.request({ origins: [originPattern(origin)] });
      setNote({ kind: 'ok', text: t('allowAccessPrompt', origin) });
      ok = await asked;
    } catch (err) {
      setNote({ kind: 'error', text: t('browserRefused', origin, (err as Error).message) });
      return;
    }
    if (!ok) {
      setNote({ kind: 'error', text: t('accessNotGranted', origin) });
      return;
    }
    try {
      props.onChange(await props.actions.addOrigin(origin));
      setGranted((g) => ({ ...g, [origin]: true }));
      setText('');
      setNote({ kind: 'ok', text: t('originAdded', origin) });
    } catch (err) {
      setNote({ kind: 'error', text: (err as Error).message });
    }
  };

  const add = (e: Event) => {
    e.preventDefault();
    const checked = normalizeOrigin(text);
    if (!checked.ok) return setNote({ kind: 'error', text: checked.message });
    if (builtIn.includes(checked.value) || added.includes(checked.value))
      return setNote({ kind: 'error', text: t('originAlreadyListed', checked.value) });
    void grantAndAdd(checked.value);
  };

  const remove = async (origin: string) => {
    try {
      props.onChange(await props.actions.removeOrigin(origin));
      setNote({ kind: 'ok', text: t('originRemoved', origin) });
    } catch (err) {
      setNote({ kind: 'error', text: (err as Error).message });
    }
  };

  return (
    <section class="we-section" aria-labelledby="we-origins">
      <h2 id="we-origins">{t('platformOrigins')}</h2>
      <p class="we-help">{t('originsHelp')}</p>
      {import.meta.env.FIREFOX && (
        <p class="we-help" role="note" data-firefox-note>
          {t('firefoxOriginAllPorts')}
        </p>
      )}
      <ul class="we-list" aria-label={t('platformOrigins')}>
        {builtIn.map((o) => (
          <li key={o}>
            <code>{o}</code> <span class="we-tag">{t('builtIn')}</span>
          </li>
        ))}
        {added.map((o) => (
          <li key={o}>
            <code>{o}</code>
            {granted[o] === false ? (
              <button type="button" class="we-button" onClick={() => void grantAndAdd(o)}>
                {t('grantAccess')}
              </button>
            ) : (
              <span class="we-tag we-tag-ok">{t('accessGranted')}</span>
            )}
            <button type="button" class="we-button" aria-label={t('removeOrigin', o)} onClick={() => void remove(o)}>
              {t('remove')}
            </button>
          </li>
        ))}
        {builtIn.length + added.length === 0 && <li class="we-help">{t('noPlatformYet')}</li>}
      </ul>
      <form class="we-row" onSubmit={add}>
        <label class="we-label" for="we-origin-input">
          {t('platformOrigin')}
        </label>
        <input
          id="we-origin-input"
          class="we-input"
          type="text"
          placeholder="https://app.example.com"
          spellcheck={false}
          value={text}
          onInput={(e) => setText((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="we-button we-primary">
          {t('addOrigin')}
        </button>
      </form>
      {note && <NoteLine note={note} />}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Favourite templates
// ---------------------------------------------------------------------------------------------

function Favourites(props: { actions: ExporterActions; favourites: Favourite[]; reload: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [template, setTemplate] = useState('');
  const [note, setNote] = useState<Note>(null);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const preview = useMemo(() => (template.trim() ? samplePreview(template) : null), [template]);
  const invalid = preview !== null && 'errors' in preview;

  const run = async (what: () => Promise<unknown>, ok?: string) => {
    try {
      await what();
      await props.reload();
      setNote(ok ? { kind: 'ok', text: ok } : null);
      return true;
    } catch (err) {
      setNote({ kind: 'error', text: (err as Error).message });
      await props.reload().catch(() => {});
      return false;
    }
  };

  const add = async (e: Event) => {
    e.preventDefault();
    const [added, addedTemplate] = [name, template];
    if (await run(() => props.actions.addFavourite(added, addedTemplate), t('favouriteAdded', added.trim()))) {
      // Cleared only if they still hold what was added: what the user typed meanwhile stays.
      setName((n) => (n === added ? '' : n));
      setTemplate((v) => (v === addedTemplate ? '' : v));
    }
  };

  const importFile = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    try {
      const report = await props.actions.importFavourites(await file.text());
      await props.reload();
      const parts = [t(report.added === 1 ? 'importedOne' : 'importedMany', report.added)];
      if (report.skipped) parts.push(t('importSkipped', report.skipped));
      if (report.renamed) parts.push(t('importRenamed', report.renamed));
      setNote({ kind: 'ok', text: `${parts.join(', ')}.` });
    } catch (err) {
      setNote({ kind: 'error', text: `${file.name}: ${(err as Error).message}` });
    }
  };

  const exportFile = async () => {
    try {
      await saveJsonFile(await props.actions.exportFavourites(), 'workflow-exporter-favourites.json');
      setNote({ kind: 'ok', text: t('favouritesExported') });
    } catch (err) {
      setNote({ kind: 'error', text: (err as Error).message });
    }
  };

  return (
    <section class="we-section" aria-labelledby="we-favourites">
      <h2 id="we-favourites">{t('favouriteTemplates')}</h2>
      <p class="we-help">{t('favouritesHelp')}</p>
      {props.favourites.length === 0 ? (
        <p class="we-help">{t('noFavourites')}</p>
      ) : (
        <table class="we-table" aria-label={t('favouriteTemplates')}>
          <thead>
            <tr>
              <th scope="col">{t('colName')}</th>
              <th scope="col">{t('colTemplate')}</th>
              <th scope="col">{t('colDefault')}</th>
              <th scope="col">
                <span class="we-visually-hidden">{t('colActions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.favourites.map((f) => (
              <tr key={f.id} data-favourite={f.name}>
                <td>
                  {renaming?.id === f.id ? (
                    <form
                      class="we-inline"
                      onSubmit={async (e) => {
                        e.preventDefault();
                        if (await run(() => props.actions.renameFavourite(f.id, renaming.name), t('renamedTo', renaming.name.trim()))) setRenaming(null);
                      }}
                    >
                      <input
                        class="we-input"
                        aria-label={t('newNameFor', f.name)}
                        value={renaming.name}
                        onInput={(e) => setRenaming({ id: f.id, name: (e.target as HTMLInputElement).value })}
                      />
                      <button type="submit" class="we-button">
                        {t('save')}
                      </button>
                      <button type="button" class="we-button" onClick={() => setRenaming(null)}>
                        {t('cancel')}
                      </button>
                    </form>
                  ) : (
                    f.name
                  )}
                </td>
                <td>
                  <code>{f.template}</code>
                </td>
                <td>
                  <input
                    type="radio"
                    name="we-default-favourite"
                    aria-label={t('defaultFor', f.name)}
                    checked={f.isDefault}
                    onChange={() => void run(() => props.actions.setDefaultFavourite(f.id), t('isDefault', f.name))}
                  />
                </td>
                <td class="we-cell-actions">
                  <button type="button" class="we-button" aria-label={t('renameX', f.name)} onClick={() => setRenaming({ id: f.id, name: f.name })}>
                    {t('rename')}
                  </button>
                  <button type="button" class="we-button" aria-label={t('deleteX', f.name)} onClick={() => void run(() => props.actions.deleteFavourite(f.id), t('deleted', f.name))}>
                    {t('delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.favourites.some((f) => f.isDefault) && (
        <button type="button" class="we-button we-small" onClick={() => void run(() => props.actions.setDefaultFavourite(null), t('noDefaultFavourite'))}>
          {t('clearDefault')}
        </button>
      )}

      <form class="we-subsection" onSubmit={add} aria-labelledby="we-add-favourite">
        <h3 id="we-add-favourite">{t('addAFavourite')}</h3>
        <label class="we-label" for="we-fav-name">
          {t('name')}
        </label>
        <input id="we-fav-name" class="we-input" type="text" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <label class="we-label" for="we-fav-template">
          {t('template')}
        </label>
        <input
          id="we-fav-template"
          class="we-input"
          type="text"
          spellcheck={false}
          placeholder="{{ WORKFLOW_ORDER_NAME }}/{{ CASE_EXTERNAL_ID }}/"
          value={template}
          aria-invalid={invalid}
          aria-describedby="we-fav-help we-fav-errors"
          onInput={(e) => setTemplate((e.target as HTMLInputElement).value)}
        />
        <p id="we-fav-help" class="we-help">
          {tParts('variablesHelp', TEMPLATE_VARIABLES.map((v) => `{{ ${v} }}`).join(', '), <code>/</code>)}
        </p>
        <div id="we-fav-errors">
          {preview && 'errors' in preview && (
            <div role="alert">
              {preview.errors.map((m) => (
                <p class="we-error">{m}</p>
              ))}
            </div>
          )}
        </div>
        {preview && 'tree' in preview && (
          <section class="we-preview" aria-label={t('preview')} tabIndex={0}>
            <h3>{t('previewSample')}</h3>
            <ul class="we-tree">
              <PreviewTree nodes={preview.tree} />
            </ul>
          </section>
        )}
        <button type="submit" class="we-button we-primary" disabled={!name.trim() || !template.trim() || invalid}>
          {t('addFavourite')}
        </button>
      </form>

      <div class="we-subsection we-row">
        <label class="we-button" for="we-import">
          {t('importFavourites')}
        </label>
        <input id="we-import" class="we-visually-hidden" type="file" accept="application/json,.json" onChange={importFile} />
        <button type="button" class="we-button" onClick={() => void exportFile()} disabled={props.favourites.length === 0}>
          {t('exportFavourites')}
        </button>
      </div>
      {note && <NoteLine note={note} />}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Export defaults and parallel downloads
// ---------------------------------------------------------------------------------------------

function Defaults(props: {
  actions: ExporterActions;
  settings: Settings | null;
  favourites: Favourite[];
  onChange: (s: Settings) => void;
  reloadFavourites: () => Promise<void>;
}) {
  const [note, setNote] = useState<Note>(null);
  const [parallelText, setParallelText] = useState<string | null>(null);
  const s = props.settings;
  const parallelCheck = parallelText === null ? null : checkParallel(parallelText);

  const save = async (patch: Partial<Omit<Settings, 'origins'>>) => {
    try {
      props.onChange(await props.actions.setSettings(patch));
      setNote({ kind: 'ok', text: t('saved') });
    } catch (err) {
      setNote({ kind: 'error', text: (err as Error).message });
    }
  };

  if (!s) return <p class="we-help">{t('loading')}</p>;
  const defaultFavourite = props.favourites.find((f) => f.isDefault)?.id ?? '';
  return (
    <section class="we-section" aria-labelledby="we-defaults">
      <h2 id="we-defaults">{t('exportDefaults')}</h2>
      <p class="we-help">{t('defaultsHelp')}</p>
      <div class="we-grid">
        <fieldset class="we-fieldset">
          <legend>{t('csvSubmissionsLegend')}</legend>
          {(
            [
              ['all', 'csvAll'],
              ['submitted', 'csvSubmitted'],
              ['latest', 'csvLatest'],
            ] as const
          ).map(([value, label]) => (
            <label class="we-choice">
              <input type="radio" name="we-csv-submissions" checked={s.csv.submissions === value} onChange={() => void save({ csv: { ...s.csv, submissions: value } })} />{' '}
              {t(label)}
            </label>
          ))}
        </fieldset>
        <fieldset class="we-fieldset">
          <legend>{t('csvLayoutLegend')}</legend>
          {(
            [
              ['long', 'csvLong'],
              ['wide', 'csvWide'],
            ] as const
          ).map(([value, label]) => (
            <label class="we-choice">
              <input type="radio" name="we-csv-layout" checked={s.csv.layout === value} onChange={() => void save({ csv: { ...s.csv, layout: value } })} /> {t(label)}
            </label>
          ))}
          <label class="we-choice">
            <input type="checkbox" checked={s.csv.bom} onChange={(e) => void save({ csv: { ...s.csv, bom: (e.target as HTMLInputElement).checked } })} />{' '}
            {t('addBomLong')}
          </label>
        </fieldset>
        <fieldset class="we-fieldset">
          <legend>{t('execFormatLegend')}</legend>
          {(
            [
              ['markdown', 'formatMarkdown'],
              ['html', 'formatHtml'],
            ] as const
          ).map(([value, label]) => (
            <label class="we-choice">
              <input type="radio" name="we-exec-format" checked={s.execution.format === value} onChange={() => void save({ execution: { ...s.execution, format: value } })} />{' '}
              {t(label)}
            </label>
          ))}
          <label class="we-choice">
            <input
              type="checkbox"
              checked={s.execution.combine}
              onChange={(e) => void save({ execution: { ...s.execution, combine: (e.target as HTMLInputElement).checked } })}
            />{' '}
            {t('combine')}
          </label>
        </fieldset>
        <fieldset class="we-fieldset">
          <legend>{t('kindCaseFiles')}</legend>
          <label class="we-label" for="we-default-template">
            {t('defaultTemplate')}
          </label>
          <select
            id="we-default-template"
            class="we-input"
            value={defaultFavourite}
            onChange={async (e) => {
              const id = (e.target as HTMLSelectElement).value || null;
              try {
                await props.actions.setDefaultFavourite(id);
                await props.reloadFavourites();
                setNote({ kind: 'ok', text: t('saved') });
              } catch (err) {
                setNote({ kind: 'error', text: (err as Error).message });
              }
            }}
          >
            <option value="">{t('noneDefaultNames')}</option>
            {props.favourites.map((f) => (
              <option value={f.id}>{f.name}</option>
            ))}
          </select>
          <label class="we-label" for="we-parallel">
            {t('parallelDownloads')}
          </label>
          <input
            id="we-parallel"
            class="we-input we-number"
            type="number"
            min={MIN_PARALLEL}
            max={MAX_PARALLEL}
            step={1}
            value={parallelText ?? String(s.parallel)}
            aria-invalid={parallelCheck ? !parallelCheck.ok : false}
            aria-describedby="we-parallel-help"
            onInput={(e) => {
              const text = (e.target as HTMLInputElement).value;
              setParallelText(text);
              const c = checkParallel(text);
              if (c.ok) void save({ parallel: c.value });
            }}
          />
          <p id="we-parallel-help" class={parallelCheck && !parallelCheck.ok ? 'we-error' : 'we-help'} role={parallelCheck && !parallelCheck.ok ? 'alert' : undefined}>
            {parallelCheck && !parallelCheck.ok
              ? parallelCheck.message
              : t('parallelHelp', MIN_PARALLEL, MAX_PARALLEL)}
          </p>
        </fieldset>
      </div>
      {note && <NoteLine note={note} />}
    </section>
  );
}

function NoteLine(props: { note: NonNullable<Note> }) {
  return props.note.kind === 'error' ? (
    <p class="we-error" role="alert">
      {props.note.text}
    </p>
  ) : (
    <p class="we-ok" role="status">
      {props.note.text}
    </p>
  );
}
