/**
 * OpenTelemetry traces, configured by the standard environment variables and off unless an OTLP
 * endpoint is configured. When off, nothing here is loaded but @opentelemetry/api (whose calls are
 * no-ops), no hooks are installed and tasks carry no trace context.
 *
 * On: one tracer provider per thread (the main thread and each worker thread export their own
 * spans), OTLP over HTTP (`http/protobuf`, or `http/json` by OTEL_EXPORTER_OTLP[_TRACES]_PROTOCOL),
 * batched (OTEL_BSP_*), sampled as OTEL_TRACES_SAMPLER[_ARG] say (default parent-based, always on),
 * resource from OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES.
 */
import { context, diag, DiagLogLevel, propagation, ROOT_CONTEXT, trace, type Attributes, type Link, type Span } from '@opentelemetry/api';
import { WaymarkError } from '../errors.js';
import { log } from '../log.js';
import type { TaskTrace } from '../workers/tasks.js';

type Env = Record<string, string | undefined>;

/** Whether the environment asks for traces: an OTLP endpoint (or OTEL_TRACES_EXPORTER=otlp), and not OTEL_SDK_DISABLED. */
export function tracingRequested(env: Env = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
  if (exporters.includes('none')) return false;
  const unsupported = exporters.filter((e) => e !== 'otlp');
  if (unsupported.length > 0) throw new WaymarkError('InvalidValue', `OTEL_TRACES_EXPORTER=${unsupported.join(',')} is not supported: use otlp or none`);
  const requested = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || exporters.includes('otlp'));
  if (requested) otlpProtocol(env); // refused at start, not when the first span is exported
  return requested;
}

/** The OTLP protocol asked for; only the HTTP ones are supported (grpc is refused, not ignored). */
export function otlpProtocol(env: Env = process.env): 'http/protobuf' | 'http/json' {
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf').trim();
  if (protocol === 'http/protobuf' || protocol === 'http/json') return protocol;
  throw new WaymarkError('InvalidValue', `OTLP protocol '${protocol}' is not supported: use http/protobuf or http/json`);
}

export interface Tracing {
  /** Exports what is buffered. */
  flush(): Promise<void>;
  /** Flushes and stops. */
  shutdown(): Promise<void>;
}

/** Starts the SDK for this thread and registers it globally (context manager, W3C propagator). */
export async function startTracing(env: Env = process.env): Promise<Tracing> {
  const protocol = otlpProtocol(env);
  // The SDK's own problems (an unreachable collector, dropped spans) go to the log, not nowhere.
  const report = (message: string, ...args: unknown[]) => log.warn({ otel: args.length ? args.map(String) : undefined }, `OpenTelemetry: ${message}`);
  diag.setLogger({ error: report, warn: report, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
  const { OTLPTraceExporter } = protocol === 'http/json' ? await import('@opentelemetry/exporter-trace-otlp-http') : await import('@opentelemetry/exporter-trace-otlp-proto');
  const { NodeTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-node');
  const { defaultResource, detectResources, envDetector, resourceFromAttributes } = await import('@opentelemetry/resources');
  // Later merges win: SDK defaults, then Waymark's name, then OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'waymark', 'service.version': '0.1.0' }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  provider.register();
  return {
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.shutdown();
      diag.disable();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** The trace context to send with a worker task: that of the active span, when it is sampled. */
export function currentTaskTrace(): TaskTrace | undefined {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (!carrier.traceparent) return undefined;
  return { traceparent: carrier.traceparent, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}), enqueuedAt: performance.timeOrigin + performance.now() };
}

/** The active trace context as W3C headers (JSON), to store with work done later (a VRP job). */
export function currentTraceContext(): string | undefined {
  if (!trace.getActiveSpan()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? JSON.stringify(carrier) : undefined;
}

/**
 * A root span for deferred work (a queued job's solve), linked to the stored trace context of the
 * request that asked for it, and the trace context its worker task should carry.
 */
export function startLinkedSpan(name: string, stored: string | null, attributes: Attributes): { span: Span; trace: TaskTrace | undefined } {
  const links: Link[] = [];
  if (stored) {
    try {
      const linked = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, JSON.parse(stored) as Record<string, string>));
      if (linked) links.push({ context: linked, attributes: { 'waymark.link': 'submitted by' } });
    } catch {
      // a stored context that does not parse links nothing
    }
  }
  const span = trace.getTracer('waymark-jobs', '0.1.0').startSpan(name, { root: true, links, attributes }, ROOT_CONTEXT);
  return { span, trace: context.with(trace.setSpan(ROOT_CONTEXT, span), currentTaskTrace) };
}
