/**
 * Languages, in both browsers: a browser whose UI is German (Chromium `--lang=de`; Firefox
 * `intl.locale.requested`) shows our UI in German: the injected group, the dialog, the popup and
 * the options page, marked `lang="de"` for screen readers. (axe on the German dialog is a
 * Chromium-only probe: i18n-a11y.spec.ts.)
 */
import assert from 'node:assert/strict';
import de from '../../public/_locales/de/messages.json' with { type: 'json' };
import { by, type Flow } from './driver';

const group = by('group', 'Workflow Exporter');
const dialog = by('dialog', 'Falldateien exportieren');

export const flows: Flow[] = [
  {
    name: 'a browser in German shows the UI in German',
    options: { lang: 'de' },
    async run(d) {
      await d.page.goto('/develop/workflows/1');
      await d.page.expectState(by('button', 'CSV exportieren', group), { enabled: true });
      const annotated = await d.page.expectState(by('button', 'Annotierte Falldateien exportieren', group), { enabled: false });
      assert.match(annotated.description ?? '', /Wählen Sie zuerst einen Workflow-Auftrag/);
      // Our text is marked as German for screen readers (the platform's page is in English).
      assert.equal(await d.page.evaluate(`document.querySelector('workflow-exporter').shadowRoot.querySelector('[lang]').getAttribute('lang')`), 'de');
      await d.page.click(by('button', 'Falldateien exportieren', group));
      await d.page.expectState(by('textbox', 'Ordnerpfad-Vorlage', dialog), { count: 1 });
      await d.page.waitForText(by('region', 'Vorschau', dialog), 'Vorschau (erste 5 Fälle)');
      await d.page.expectState(by('button', 'Dateien herunterladen', dialog), { enabled: true });
      await d.page.expectState(by('button', 'Schließen', dialog), { count: 2 });
      await d.page.press(by('textbox', 'Ordnerpfad-Vorlage', dialog), 'Escape');
      await d.page.expectState(dialog, { count: 0 });

      const popup = await d.openPopup();
      await popup.expectState(by('heading', 'Letzte Ausführung'), { count: 1 });
      assert.equal(await popup.evaluate('document.documentElement.getAttribute("lang")'), 'de');
      const options = await d.openOptions();
      await options.expectState(by('region', 'Plattform-Ursprünge'), { count: 1 });
      assert.equal(await options.evaluate('document.title'), 'Workflow Exporter – Optionen');
      // What Firefox does differently is said in German too (README, "Firefox").
      assert.deepEqual(await options.uiTexts('[data-firefox-note]'), d.browser === 'firefox' ? [de.firefoxOriginAllPorts.message] : []);
    },
  },
];
