// One backend as the balancer sees it: its address and the state that follows it across
// discovery snapshots (counters, in-flight requests).

export class Upstream {
  readonly address: string;
  /** `http://ip:port`, the prefix of every URL forwarded to it. */
  readonly origin: string;
  requestsForwarded = 0;
  inflight = 0;
  terminating: boolean;
  weight: number;

  constructor(address: string, { terminating = false, weight = 1 } = {}) {
    this.address = address;
    this.origin = `http://${address}`;
    this.terminating = terminating;
    this.weight = weight;
  }

  /** Whether it can take a new request now. */
  available(): boolean {
    return !this.terminating;
  }
}
