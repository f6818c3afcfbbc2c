// What the voice processors need besides the job context: the Vapi client, the call rate and the crisis
// detector (for call summaries). Built from
// the process config by default; tests pass their own (a fake Vapi on 127.0.0.1).
import { type CrisisDetector, crisisDetectorFrom } from '../chat/crisis-detector.ts';
import { getConfig, type Config } from '../config.ts';
import { VapiClient } from '../lib/vapi.ts';

export interface VoiceDeps {
  vapi: VapiClient;
  maxCallsPerMinute: number;
  now: () => Date;
  crisis: CrisisDetector;
}

export const voiceDeps = (config: Config): VoiceDeps => ({
  vapi: new VapiClient(config),
  maxCallsPerMinute: config.VAPI_MAX_CALLS_PER_MINUTE,
  now: () => new Date(),
  crisis: crisisDetectorFrom(config),
});

let processDeps: VoiceDeps | undefined;
/** The process-wide deps, built on first use (not at import: a bad environment must fail in main's check). */
export const defaultVoiceDeps = (): VoiceDeps => (processDeps ??= voiceDeps(getConfig()));
