// Worker thread of the preprocessing pool (src/data/worker_pool.ts): its own Preprocessors, so its own wasm resizer
// (simdResizer() is per thread); reads each file and decodes JPEGs on this thread (decodeSync), resizes and
// normalises, and posts the floats back with their buffer transferred (no copy). sharp, for other formats and CMYK,
// stays async here, so a later job may start meanwhile. Runs as TypeScript under esbuild-register (tests, bench)
// and as dist/preprocess_worker.mjs beside the CLI bundle (scripts/build.mjs).
import { parentPort } from 'node:worker_threads';
import { loadImage, type WorkerJob, type WorkerReply } from './image_job';
import { Preprocessor, jpegDecoderImpl, pilResampleImpl } from './preprocess';

const port = parentPort;
if (!port) throw new Error('preprocess_worker: not started as a worker thread');

// a pool outlives one stream (src/data/worker_pool.ts keeps it for the next), so one Preprocessor per option set
const pres = new Map<string, Preprocessor>();
function preprocessor(job: WorkerJob): Preprocessor {
  let p = pres.get(job.key);
  if (!p) {
    if (pres.size >= 4) pres.clear();
    p = new Preprocessor(job.options, { syncDecode: true });
    pres.set(job.key, p);
  }
  return p;
}

port.on('message', async (job: WorkerJob) => {
  const r = await loadImage(job.path, job.name, preprocessor(job), true);
  if (r.ok) port.postMessage({ id: job.id, image: r.image } satisfies WorkerReply, [r.image.buffer as ArrayBuffer]);
  else port.postMessage({ id: job.id, error: { code: r.error.code, message: r.error.message } } satisfies WorkerReply);
});

// load the addon and compile the wasm before saying ready, so that the first job does not wait for them
jpegDecoderImpl();
pilResampleImpl();
port.postMessage({ ready: true } satisfies WorkerReply);
