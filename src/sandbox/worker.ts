import { workerData } from 'piscina';
import { createHandler } from './handler.js';
import type { PoolData } from './protocol.js';

// The Piscina entry stays trivial: a throw at module load makes Piscina hang later tasks instead of failing them.
export default createHandler(workerData as PoolData);
