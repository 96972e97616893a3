/** Annotated case files in Chromium: the shared flows of tests/flows/annotated.flow.ts (Firefox runs them too). */
import { chromiumTests } from '../flows/chromium';
import { flows } from '../flows/annotated.flow';

chromiumTests(flows);
