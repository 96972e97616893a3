/**
 * The request of an execution export (spec 2 and 3), which the UI builds: kept apart from the
 * documents, so the popup and the pages that only send a request carry neither marked nor the
 * sanitiser.
 */
import type { ExecutionRequest } from './jobs';

export type ExecutionFormat = ExecutionRequest['format'];
export interface ExecutionExportOptions {
  format: ExecutionFormat;
  combine: boolean;
}

/**
 * The request the UI (execution page, executions list, popup) hands to
 * `actions.startExport(...)`: that one call is "the export" (spec 2 and 3); the engine runs it with
 * `exportExecution` (workers/execution.ts) and streams the ZIP to the downloads.
 */
export function executionExportRequest(origin: string, executionId: string, options: ExecutionExportOptions): ExecutionRequest {
  return { kind: 'execution', origin, executionId, format: options.format, combine: options.combine };
}

export const DEFAULT_EXECUTION_OPTIONS: ExecutionExportOptions = { format: 'markdown', combine: false };
