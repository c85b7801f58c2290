/** What a canary gate measured from the client side during one window, whichever tool sent the traffic. */
export interface GateFigures {
  readonly tool: 'k6' | 'node';
  readonly requests: number;
  /** Fraction of requests that failed (transport error or non-200), undefined without requests. */
  readonly errorRate: number | undefined;
  readonly p95Ms: number | undefined;
  /** Fraction of requests whose answer passed the meaning checks (id echoed, outputs and shapes). */
  readonly checksRate: number | undefined;
  /** A few failure descriptions for the report. */
  readonly failureSamples: readonly string[];
  /** Streaming completions to the generative model, when the target has one. */
  readonly stream?: StreamGateFigures;
}

/** What the gate's streams to a generative model measured (policies/slo.ts `generation`). */
export interface StreamGateFigures {
  readonly streams: number;
  /** Fraction of streams that failed (transport error or non-200), undefined without streams. */
  readonly errorRate: number | undefined;
  readonly ttftP95Ms: number | undefined;
  readonly itlP95Ms: number | undefined;
  /** Fraction of streams whose content passed the checks ([DONE], finish reason, usage within max_tokens). */
  readonly checksRate: number | undefined;
}

export interface GateTarget {
  /** Gateway base URL; the gate pins its traffic to the canary with the route model's header. */
  readonly baseUrl: string;
  readonly model: string;
  /** Bearer token for AUTH_MODE=jwt targets; empty for none. */
  readonly token: string;
  readonly ratePerSecond: number;
  /** Generative model under /v1 to stream to beside the inference traffic; absent: no generation checks. */
  readonly generateModel?: string;
}

/** Sends pinned canary traffic for `seconds` and reports client-side figures. */
export interface GateRunner {
  readonly tool: GateFigures['tool'];
  run(seconds: number): Promise<GateFigures>;
}
