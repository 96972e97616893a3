/** Execution exports in Chromium: the shared flows of tests/flows/execution.flow.ts (Firefox runs them too). */
import { chromiumTests } from '../flows/chromium';
import { flows } from '../flows/execution.flow';

chromiumTests(flows);
