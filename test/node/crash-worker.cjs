// A worker that dies on its first job: the pool must turn that into a failed outcome.
const { parentPort } = require('node:worker_threads');
parentPort.on('message', () => process.exit(7));
