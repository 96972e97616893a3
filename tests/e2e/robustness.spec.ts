/**
 * Faults and retries in Chromium: the shared flows of tests/flows/robustness.flow.ts (Firefox runs
 * them too).
 */
import { chromiumTests } from '../flows/chromium';
import { flows } from '../flows/robustness.flow';

chromiumTests(flows);
