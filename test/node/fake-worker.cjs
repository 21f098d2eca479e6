// A stand-in for dist/worker.js. A job whose text is "oom" runs out of heap (the pool must turn that into a failed
// outcome and use a fresh worker next); any other job holds the thread for 300 ms (or N ms for the text "hold:N")
// and answers "start-end" (ms since the epoch), so a test can see whether two jobs ran side by side.
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (request) => {
  if (request.job.text === 'oom') {
    const hoard = [];
    for (;;) hoard.push(new Array(100_000).fill({ text: request.job.text }));
  }
  const start = Date.now();
  const hold = /^hold:(\d+)$/.exec(request.job.text);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, hold ? Number(hold[1]) : 300);
  const message = `${start}-${Date.now()}`;
  parentPort.postMessage({
    type: 'done',
    id: request.id,
    handoffs: 0,
    outcome: { ok: false, diagnostics: [], message },
  });
});
