import { parentPort } from 'node:worker_threads';
import { FileRunReader, type FileTask, type RunPage } from './read-file-run.js';

/** A message from an ingest worker to the main thread: a page, a run read to its end, or why it failed. */
export type WorkerMessage = { type: 'page'; page: RunPage } | { type: 'done' } | { type: 'failed'; message: string };

/** A message from the main thread to an ingest worker: a run of files to read. */
export type WorkerTask = { type: 'run'; tasks: FileTask[] };

// Entry of an ingest worker thread: decompresses, parses, normalises and folds runs of files into
// rollup partials, and posts them as pages to the main thread, which writes them to the store.
// Runs queue up and are read one after another: the main thread sends the next run before this one
// ends, because while it writes to embedded PGlite it cannot answer.
if (parentPort) {
  const port = parentPort;
  const reader = new FileRunReader((page) => port.postMessage({ type: 'page', page } satisfies WorkerMessage));
  let queue = Promise.resolve();
  port.on('message', (msg: WorkerTask) => {
    queue = queue.then(() =>
      reader.read(msg.tasks).then(
        () => port.postMessage({ type: 'done' } satisfies WorkerMessage),
        (err: unknown) => port.postMessage({ type: 'failed', message: (err as Error).stack ?? String(err) } satisfies WorkerMessage),
      ),
    );
  });
}
