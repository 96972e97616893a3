/**
 * Where Firefox does something differently from Chrome, our UI says so in plain words (issue 18,
 * point 3; README, "Firefox"), and Chrome shows no such note: during an export, that Firefox saves it
 * to Downloads only once complete; in the options' platform origins, that Firefox grants access to a
 * host on all its ports.
 */
import assert from 'node:assert/strict';
import en from '../../public/_locales/en/messages.json' with { type: 'json' };
import { by, type Flow } from './driver';
import { startLongExport } from './spa-and-cancel.flow';

const dialog = by('dialog', 'Export case files');

export const flows: Flow[] = [
  {
    name: 'what Firefox does differently is said in plain words, in the export and in the options',
    async run(d) {
      const want = (text: string) => (d.browser === 'firefox' ? [text] : []);
      await startLongExport(d);
      assert.deepEqual(await d.page.uiTexts('dialog [data-firefox-note]'), want(en.firefoxSavesWhenDone.message));
      await d.page.click(by('button', 'Cancel export', dialog));
      await d.page.waitForText(by('status', undefined, dialog), 'Export cancelled');
      assert.deepEqual(await d.page.uiTexts('dialog [data-firefox-note]'), [], 'the note goes with the export');
      const options = await d.openOptions();
      await options.expectState(by('region', 'Platform origins'), { count: 1 });
      assert.deepEqual(await options.uiTexts('[data-firefox-note]'), want(en.firefoxOriginAllPorts.message));
    },
  },
];
