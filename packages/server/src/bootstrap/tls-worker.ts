// Worker thread entry: makes the TLS certificates (see tls-certificates.ts) and posts them back.
import { parentPort, workerData } from 'node:worker_threads';
import { makeTlsCertificates } from './tls-certificates.js';

const nowMs = (workerData as { nowMs: number }).nowMs;
parentPort?.postMessage(await makeTlsCertificates(nowMs));
