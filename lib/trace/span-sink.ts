/** What our code hands to an exporter: spans whose ids it chose, and where they go. */

/** A span that has ended, with its ids already decided (protocol/trace-context.ts). */
export interface FinishedSpan {
  name: string;
  traceId: string;
  spanId: string;
  /** Null: a root span of its trace. */
  parentSpanId: string | null;
  /** The trace flags of its context (`01`: sampled); an unsampled span is not exported. */
  flags: string;
  startMs: number;
  endMs: number;
  attributes: Record<string, string | number | boolean>;
  /** Set when what the span stands for failed: the span's status is then ERROR with this message. */
  error?: string | undefined;
}

/** Where finished spans go. */
export interface SpanSink {
  record(span: FinishedSpan): void;
  /** Send what was recorded now, without waiting for the batch delay. */
  flush(): Promise<void>;
  /** Send what was recorded and stop. */
  shutdown(): Promise<void>;
}
