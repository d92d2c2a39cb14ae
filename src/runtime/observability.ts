import type { Span, Tracer, TracerProvider } from '@opentelemetry/api';
import { otel } from './cjs-deps.js';

const { SpanStatusCode, trace } = otel;

/** The manager's logger; quiet unless the embedding application passes one. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const noop = () => {};
export const quietLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

export function tracerFrom(provider?: TracerProvider): Tracer {
  return (provider ?? trace.getTracerProvider()).getTracer('cordon');
}

export function endSpan(span: Span, error?: string, endTime?: number): void {
  if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
  span.end(endTime);
}
