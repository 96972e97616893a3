import { useEffect, useState } from 'preact/hooks';
import { isJobActive, type ExportRequest, type JobState } from '../lib/jobs';
import type { ExporterActions } from './actions';

/** A dialog's export: starts it, follows its updates, and says whether it is still running. */
export function useExportJob(actions: ExporterActions) {
  const [jobId, setJobId] = useState<string | null>(null);
  const [updates, setUpdates] = useState<Record<string, JobState>>({});
  const [startError, setStartError] = useState<string | null>(null);
  // Keep every update: the first may arrive before startExport answers.
  useEffect(() => actions.onJobUpdate((j) => setUpdates((u) => ({ ...u, [j.id]: j }))), [actions]);
  const job = jobId ? (updates[jobId] ?? null) : null;
  const start = async (request: ExportRequest) => {
    setStartError(null);
    try {
      setJobId((await actions.startExport(request)).jobId);
    } catch (err) {
      setStartError((err as Error).message);
    }
  };
  return { job, running: jobId !== null && (!job || isJobActive(job)), startError, start };
}
