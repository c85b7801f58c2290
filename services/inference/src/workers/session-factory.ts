import ort from 'onnxruntime-node';
import type { ExecutionProviderSpec } from '../model-repository/model-config.js';

export interface OpenedSession {
  readonly session: ort.InferenceSession;
  /** The provider list that was accepted, e.g. "cuda:0,cpu" or "cpu". */
  readonly provider: string;
  readonly warnings: readonly string[];
}

const describe = (p: ExecutionProviderSpec): string => (p.name === 'cpu' ? 'cpu' : `${p.name}:${p.deviceId ?? 0}`);
const toOrt = (p: ExecutionProviderSpec): ort.InferenceSession.ExecutionProviderConfig =>
  p.name === 'cpu' ? 'cpu' : { name: p.name, deviceId: p.deviceId ?? 0 };

/**
 * Opens a session with the preferred execution providers (CPU always last). When a GPU provider cannot load —
 * no CUDA libraries, no device — the session falls back to CPU with a warning, unless `gpuRequired`.
 */
export async function openSession(
  bytes: Uint8Array,
  providers: readonly ExecutionProviderSpec[],
  gpuRequired: boolean,
  intraOpThreads: number,
): Promise<OpenedSession> {
  const wanted = providers.some((p) => p.name === 'cpu') ? [...providers] : [...providers, { name: 'cpu' as const }];
  const options: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // ONNX Runtime's own stderr logging would duplicate our structured log lines.
    logSeverityLevel: 4,
  };
  const usesGpu = wanted.some((p) => p.name !== 'cpu');
  try {
    const session = await ort.InferenceSession.create(bytes, { ...options, executionProviders: wanted.map(toOrt) });
    return { session, provider: wanted.map(describe).join(','), warnings: [] };
  } catch (error) {
    const reason = (error as Error).message;
    if (!usesGpu) throw error;
    const names = wanted.filter((p) => p.name !== 'cpu').map(describe).join(', ');
    if (gpuRequired) throw new Error(`execution provider ${names} cannot load and gpuRequired is set: ${reason}`);
    const session = await ort.InferenceSession.create(bytes, { ...options, executionProviders: ['cpu'] });
    return { session, provider: 'cpu', warnings: [`execution provider ${names} cannot load (${reason}); falling back to CPU`] };
  }
}
