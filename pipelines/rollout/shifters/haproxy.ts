/**
 * Local traffic shifting through HAProxy's runtime API (the rehearsal's gateway, rendered by pipelines/haproxy).
 * Weights change in place, without a reload, and every change is read back with `get weight`.
 */
import { haproxyNames } from '../../haproxy/config.js';
import { getServerWeight, runtimeCommand, serverStatus, setServerWeight } from '../../haproxy/runtime-api.js';
import { waitFor } from '../../lib/wait.js';
import type { TrafficShifter } from '../traffic-shifter.js';

export interface HaproxyShifterOptions {
  readonly statsSocket: string;
  /** Server names inside the split backend (the route model's backend names). */
  readonly stableServer: string;
  readonly canaryServer: string;
  /** Where the canary listens, so that promotion can point the stable server at it. */
  readonly canaryAddress: { readonly host: string; readonly port: number };
}

export class HaproxyShifter implements TrafficShifter {
  readonly description: string;

  constructor(private readonly o: HaproxyShifterOptions) {
    this.description = `HAProxy runtime API (${o.statsSocket})`;
  }

  async setCanaryWeight(percent: number): Promise<void> {
    const b = haproxyNames.splitBackend;
    // Raise the side that grows first, so the backend never has both servers at weight 0.
    if (percent >= (await getServerWeight(this.o.statsSocket, b, this.o.canaryServer))) {
      await setServerWeight(this.o.statsSocket, b, this.o.canaryServer, percent);
      await setServerWeight(this.o.statsSocket, b, this.o.stableServer, 100 - percent);
    } else {
      await setServerWeight(this.o.statsSocket, b, this.o.stableServer, 100 - percent);
      await setServerWeight(this.o.statsSocket, b, this.o.canaryServer, percent);
    }
  }

  async waitUntilReady(percent: number, timeoutMs: number): Promise<void> {
    const b = haproxyNames.splitBackend;
    const mustBeUp = percent > 0 ? this.o.canaryServer : this.o.stableServer;
    await waitFor(`${b}/${mustBeUp} UP at canary weight ${percent} %`, async () => {
      const weight = await getServerWeight(this.o.statsSocket, b, this.o.canaryServer);
      return weight === percent && (await serverStatus(this.o.statsSocket, b, mustBeUp)) === 'UP';
    }, timeoutMs);
  }

  /**
   * Points the stable server at the canary's address, gives it all traffic and the canary server none: the build
   * that passed every step now serves as stable. The old stable process keeps running, unused, until its owner
   * stops it (in a cluster, the stable Deployment rolls to the canary's image instead).
   */
  async promote(): Promise<void> {
    const b = haproxyNames.splitBackend;
    const { host, port } = this.o.canaryAddress;
    const answer = await runtimeCommand(this.o.statsSocket, `set server ${b}/${this.o.stableServer} addr ${host} port ${port}`);
    if (!/changed|no need to change/i.test(answer)) {
      throw new Error(`set server ${b}/${this.o.stableServer} addr: HAProxy answered "${answer}"`);
    }
    await setServerWeight(this.o.statsSocket, b, this.o.stableServer, 100);
    await setServerWeight(this.o.statsSocket, b, this.o.canaryServer, 0);
    await this.waitUntilReady(0, 10_000);
  }
}
