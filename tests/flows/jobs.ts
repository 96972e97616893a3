/**
 * Reading the job store (IndexedDB `workflow-exporter-jobs`, lib/jobStore.ts) in one of our
 * extension pages: one expression both drivers evaluate there.
 */
export const STORED_JOBS_EXPRESSION = `new Promise((resolve, reject) => {
  const open = indexedDB.open('workflow-exporter-jobs');
  open.onerror = () => reject(open.error);
  open.onblocked = () => reject(new Error('the jobs database is blocked'));
  open.onsuccess = () => {
    try {
      const get = open.result.transaction('kv').objectStore('kv').get('jobs');
      get.onsuccess = () => resolve(get.result ? get.result.value : []);
      get.onerror = () => reject(get.error);
    } catch (err) {
      reject(err);
    } finally {
      open.result.close();
    }
  };
})`;
