import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { PlatformClient, type Case, type Workflow } from '../lib/platform';
import { parsePathTemplate, TEMPLATE_VARIABLES, variableDescription, type TemplateError } from '../lib/pathTemplate';
import { planCaseFiles, previewTree, type TreeNode } from '../lib/caseFilesPlan';
import { PathDeduper } from '../lib/naming';
import { annotatedNaming, labelledPlanner, type LabelledPlannedFile } from '../lib/labelNaming';
import { useExportJob } from './useExportJob';
import type { ExporterActions } from './actions';
import type { Favourite } from '../lib/storage';
import { Dialog } from './Dialog';
import { ExportFooter } from './ExportFooter';
import { t, tParts } from '../lib/i18n';
import { PreviewTree } from './PreviewTree';
import { browser } from 'wxt/browser';
import { AnnotatedOptionsFields } from './AnnotatedOptionsFields';
import { OnlyNewField } from './OnlyNewField';
import { ANNOTATED_OPTIONS_KEY, DEFAULT_ANNOTATED_OPTIONS, annotatedOptionsFrom, wantsLabelFiles, type AnnotatedOptions } from '../lib/annotatedOptions';

/** Cases shown in the live preview. */
const PREVIEW_CASES = 5;
/** Files shown in the live preview. */
const PREVIEW_FILES = 30;

export interface CaseFilesDialogProps {
  /** Plain case files, or with the order's annotations drawn on the images (needs an order). */
  kind?: 'case-files' | 'annotated-case-files';
  origin: string;
  workflowId: string;
  orderId: string | null;
  actions: ExporterActions;
  onClose: () => void;
}

/** "Export case files": folder path template with chips, inline errors, live preview, download. */
export function CaseFilesDialog(props: CaseFilesDialogProps) {
  const kind = props.kind ?? 'case-files';
  const [template, setTemplate] = useState('');
  const [data, setData] = useState<{ workflow: Workflow; cases: Case[] } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const { job, running, startError, start: startJob } = useExportJob(props.actions);
  const input = useRef<HTMLInputElement>(null);
  const [favourites, setFavourites] = useState<Favourite[]>([]);
  const typed = useRef(false);
  /** Download waits for the template to start with (a few ms): what is shown is what is exported. */
  const [startReady, setStartReady] = useState(false);
  /** Images and label files (annotated export; label files also for plain case files of an order), remembered. */
  const [options, setOptions] = useState<AnnotatedOptions>(DEFAULT_ANNOTATED_OPTIONS);
  const [optionsReady, setOptionsReady] = useState(false);
  const withOptions = kind === 'annotated-case-files' || props.orderId !== null;
  /** Only new since the last export (issue 16.2): a choice per export, not remembered. */
  const [onlyNew, setOnlyNew] = useState(false);

  useEffect(() => {
    browser.storage.local
      .get(ANNOTATED_OPTIONS_KEY)
      .then((got) => setOptions(annotatedOptionsFrom((got as Record<string, unknown>)[ANNOTATED_OPTIONS_KEY])))
      .catch(() => {})
      .finally(() => setOptionsReady(true));
  }, []);
  const chooseOptions = (update: (current: AnnotatedOptions) => AnnotatedOptions) =>
    setOptions((current) => {
      const next = update(current);
      void browser.storage.local.set({ [ANNOTATED_OPTIONS_KEY]: next }).catch(() => {});
      return next;
    });

  // The favourites (IndexedDB, through the background) and the template to start with: the last one
  // used for this workflow, else the default favourite. Typing before they arrive wins.
  useEffect(() => {
    let live = true;
    const a = props.actions;
    Promise.all([
      a.listFavourites?.().catch(() => [] as Favourite[]) ?? Promise.resolve([] as Favourite[]),
      a.getLastTemplate?.(props.origin, props.workflowId).catch(() => null) ?? Promise.resolve(null),
    ]).then(([favs, last]) => {
      if (!live) return;
      setFavourites(favs);
      const initial = last ?? favs.find((f) => f.isDefault)?.template ?? '';
      if (!typed.current && initial) setTemplate(initial);
      setStartReady(true);
    });
    return () => void (live = false);
  }, [props.actions, props.origin, props.workflowId]);

  useEffect(() => {
    const client = new PlatformClient({ origin: props.origin });
    Promise.all([client.workflow(props.workflowId), client.firstCases(props.workflowId, props.orderId, PREVIEW_CASES)]).then(
      ([workflow, cases]) => setData({ workflow, cases }),
      (err: Error) => setLoadError(err.message),
    );
  }, [props.origin, props.workflowId, props.orderId]);

  // Which of the first files have shapes (the first page of the order's annotations): the preview
  // names drawn images as they are written and shows their YOLO label files.
  const [shaped, setShaped] = useState<Set<string>>(new Set());
  useEffect(() => {
    if (!withOptions || !props.orderId) return;
    let live = true;
    (async () => {
      for await (const page of new PlatformClient({ origin: props.origin }).annotations(props.workflowId, props.orderId!)) {
        if (live) setShaped(new Set(page.filter((a) => Array.isArray(a?.shapes) && a.shapes.length > 0).map((a) => a.fileUuid)));
        break;
      }
    })().catch(() => {});
    return () => void (live = false);
  }, [withOptions, props.origin, props.workflowId, props.orderId]);

  const parsed = useMemo(() => parsePathTemplate(template), [template]);

  const preview = useMemo((): { tree: TreeNode[]; more: boolean } | null => {
    if (!data || !parsed.ok) return null;
    const order = props.orderId ? (data.workflow.orders.find((o) => o.id === props.orderId) ?? null) : null;
    const paths: string[] = [];
    const naming = annotatedNaming({
      images: kind === 'annotated-case-files' ? options.images : 'original',
      labels: options.labels,
      hasShapes: (f) => shaped.has(f.uuid),
      canEncode: () => true,
    });
    const plan = withOptions ? labelledPlanner(naming) : planCaseFiles;
    for (const f of plan(parsed.template, data.workflow, order, data.cases, new PathDeduper()) as Iterable<LabelledPlannedFile>) {
      if (paths.length >= PREVIEW_FILES) return { tree: previewTree(paths), more: true };
      paths.push(f.path);
      if (f.labelPath) paths.push(f.labelPath);
    }
    return { tree: previewTree(paths), more: false };
  }, [data, parsed, props.orderId, withOptions, kind, options, shaped]);

  const insert = (name: string) => {
    typed.current = true;
    const el = input.current!;
    const token = `{{ ${name} }}`;
    const start = el.selectionStart ?? template.length;
    const end = el.selectionEnd ?? template.length;
    const next = template.slice(0, start) + token + template.slice(end);
    setTemplate(next);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(start + token.length, start + token.length);
    });
  };

  const start = () => {
    // Remembered for this workflow: the next dialog opens with it.
    void props.actions.setLastTemplate?.(props.origin, props.workflowId, template).catch(() => {});
    const target = { origin: props.origin, workflowId: props.workflowId, template };
    const labels = { ...options.labels };
    return startJob(
      kind === 'annotated-case-files'
        ? { kind, ...target, orderId: props.orderId!, images: options.images, labels, ...(onlyNew ? { onlyNew } : {}) }
        : { kind: 'case-files', ...target, orderId: props.orderId, ...(props.orderId && wantsLabelFiles(labels) ? { labels } : {}), ...(onlyNew ? { onlyNew } : {}) },
    );
  };

  const errors = parsed.ok ? [] : parsed.errors;
  const orderName = data && props.orderId ? data.workflow.orders.find((o) => o.id === props.orderId)?.name : null;

  return (
    <Dialog title={kind === 'annotated-case-files' ? t('exportAnnotatedCaseFiles') : t('exportCaseFiles')} onClose={props.onClose}>
      <p class="we-scope">
        {data ? (
          orderName ? (
            tParts('scopeWithOrder', <strong>{data.workflow.name}</strong>, <strong>{orderName}</strong>)
          ) : (
            tParts('scopeAllCases', <strong>{data.workflow.name}</strong>)
          )
        ) : loadError ? (
          <span class="we-error" role="alert">
            {t('loadWorkflowFailed', loadError)}
          </span>
        ) : (
          t('loading')
        )}
      </p>
      {favourites.length > 0 && (
        <>
          <label class="we-label" for="we-favourites">
            {t('favouriteTemplates')}
          </label>
          <select
            id="we-favourites"
            class="we-input"
            disabled={running}
            value={favourites.find((f) => f.template === template)?.id ?? ''}
            onChange={(e) => {
              const fav = favourites.find((f) => f.id === (e.target as HTMLSelectElement).value);
              if (!fav) return;
              typed.current = true;
              setTemplate(fav.template);
            }}
          >
            <option value="">{favourites.some((f) => f.template === template) ? t('favouriteNone') : t('favouriteChoose')}</option>
            {favourites.map((f) => (
              <option key={f.id} value={f.id}>
                {f.isDefault ? t('favouriteDefault', f.name) : f.name}
              </option>
            ))}
          </select>
        </>
      )}
      <label class="we-label" for="we-template">
        {t('folderPathTemplate')}
      </label>
      <input
        id="we-template"
        ref={input}
        class="we-input"
        type="text"
        spellcheck={false}
        autoComplete="off"
        placeholder={t('templatePlaceholder')}
        value={template}
        disabled={running}
        aria-invalid={errors.length > 0}
        aria-describedby="we-template-help we-template-errors"
        onInput={(e) => {
          typed.current = true;
          setTemplate((e.target as HTMLInputElement).value);
        }}
      />
      <p id="we-template-help" class="we-help">
        {tParts('templateHelp', <code>{'{{ VARIABLE }}'}</code>, <code>/</code>, <code>/</code>)}
      </p>
      <div class="we-chips" role="group" aria-label={t('insertVariable')}>
        {TEMPLATE_VARIABLES.map((name) => (
          <button type="button" class="we-chip" title={variableDescription(name)} disabled={running} onClick={() => insert(name)}>
            {name}
          </button>
        ))}
      </div>
      <div id="we-template-errors">{errors.length > 0 && <TemplateErrors text={template} errors={errors} />}</div>
      {/* Scrolls when long: focusable so that keyboard users can scroll it. */}
      <section class="we-preview" aria-label={t('preview')} tabIndex={0}>
        <h3>{data ? t('previewFirstCases', Math.min(PREVIEW_CASES, data.cases.length)) : t('preview')}</h3>
        {preview ? (
          <ul class="we-tree">
            <PreviewTree nodes={preview.tree} />
            {preview.more && <li class="we-more">…</li>}
          </ul>
        ) : (
          <p class="we-help">{errors.length ? t('fixTemplate') : t('loading')}</p>
        )}
      </section>
      {withOptions && (
        <AnnotatedOptionsFields options={options} images={kind === 'annotated-case-files'} disabled={running || !optionsReady} onChange={chooseOptions} />
      )}
      <OnlyNewField
        actions={props.actions}
        kind={kind}
        origin={props.origin}
        workflowId={props.workflowId}
        orderId={props.orderId}
        checked={onlyNew}
        onChange={setOnlyNew}
        disabled={running}
        job={job}
      />
      <ExportFooter
        startError={startError}
        job={job}
        onCancel={(id) => void props.actions.cancelExport(id)}
        onClose={props.onClose}
        label={t('downloadFiles')}
        disabled={errors.length > 0 || running || !startReady || !optionsReady}
        onStart={() => void start()}
      />
    </Dialog>
  );
}

function TemplateErrors(props: { text: string; errors: TemplateError[] }) {
  return (
    <div class="we-template-errors" role="alert">
      {props.errors.map((e) => (
        <p class="we-error">
          <code class="we-template-echo">
            {props.text.slice(0, e.start)}
            <mark>{props.text.slice(e.start, Math.max(e.end, e.start + 1)) || ' '}</mark>
            {props.text.slice(Math.max(e.end, e.start + 1))}
          </code>
          <span>{e.message}</span>
        </p>
      ))}
    </div>
  );
}
