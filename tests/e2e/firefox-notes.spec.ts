/** Chromium shows none of Firefox's notes: the shared flow of tests/flows/firefox-notes.flow.ts (Firefox runs it too). */
import { chromiumTests } from '../flows/chromium';
import { flows } from '../flows/firefox-notes.flow';

chromiumTests(flows);
