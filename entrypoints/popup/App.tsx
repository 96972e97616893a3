import { useEffect, useState } from 'preact/hooks';
import { extensionActions } from '../../components/actions';
import { JobProgress } from '../../components/JobProgress';
import { isJobActive, type JobState } from '../../lib/jobs';

/** The popup: running and recent exports (the quick export arrives with its issue). */
export function App() {
  const [jobs, setJobs] = useState<JobState[]>([]);
  useEffect(() => {
    void extensionActions.listJobs().then(setJobs);
    return extensionActions.onJobUpdate((job) =>
      setJobs((list) => [job, ...list.filter((j) => j.id !== job.id)].sort((a, b) => b.startedAt - a.startedAt)),
    );
  }, []);
  return (
    <main class="we-popup">
      <h1>Workflow Exporter</h1>
      <section aria-labelledby="we-recent">
        <h2 id="we-recent">Exports</h2>
        {jobs.length === 0 && <p class="we-help">No exports yet. Open a workflow on the platform and use its Export buttons.</p>}
        <ul class="we-jobs">
          {jobs.map((job) => (
            <li key={job.id}>
              <JobProgress job={job} onCancel={isJobActive(job) ? () => extensionActions.cancelExport(job.id) : undefined} />
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
