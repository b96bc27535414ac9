import { parentPort } from 'node:worker_threads';
import { FileRunReader, type FileTask, type RunPage } from './read-file-run.js';

/** A message from an ingest worker to the main thread. */
export type WorkerMessage = { type: 'page'; page: RunPage } | { type: 'idle' } | { type: 'failed'; message: string };

/** A message from the main thread to an ingest worker: a run of files to read. */
export type WorkerTask = { type: 'run'; tasks: FileTask[] };

// Entry of an ingest worker thread: decompresses, parses, normalises and folds runs of files into
// rollup partials, and posts them as pages to the main thread, which writes them to the store.
if (parentPort) {
  const port = parentPort;
  const reader = new FileRunReader((page) => port.postMessage({ type: 'page', page } satisfies WorkerMessage));
  port.on('message', (msg: WorkerTask) => {
    reader.read(msg.tasks).then(
      () => port.postMessage({ type: 'idle' } satisfies WorkerMessage),
      (err: unknown) => port.postMessage({ type: 'failed', message: (err as Error).stack ?? String(err) } satisfies WorkerMessage),
    );
  });
  port.postMessage({ type: 'idle' } satisfies WorkerMessage);
}
