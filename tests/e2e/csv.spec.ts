/** Results as CSV in Chromium: the shared flows of tests/flows/csv.flow.ts (Firefox runs them too). */
import { chromiumTests } from '../flows/chromium';
import { flows } from '../flows/csv.flow';

chromiumTests(flows);
