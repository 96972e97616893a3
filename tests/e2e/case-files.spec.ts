/** Case files in Chromium: the shared flows of tests/flows/case-files.flow.ts (Firefox runs them too). */
import { chromiumTests } from '../flows/chromium';
import { flows } from '../flows/case-files.flow';

chromiumTests(flows);
