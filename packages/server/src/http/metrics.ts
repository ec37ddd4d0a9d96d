// Prometheus metrics: requests by route and status, latency, sign-ins by result and code.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'monban_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: [this.registry] });
  readonly latency = new Histogram({ name: 'monban_http_request_duration_seconds', help: 'HTTP request latency by route', labelNames: ['route'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry] });
  readonly signIns = new Counter({ name: 'monban_sign_ins_total', help: 'Sign-in attempts by result and AADSTS error code', labelNames: ['result', 'error_code'], registers: [this.registry] });
  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

/** A low-cardinality route label: ids and tenant aliases collapse to placeholders. */
export function routeLabel(path: string): string {
  return path
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ':id')
    .replace(/^\/(organizations|common|[a-z0-9.-]+\.[a-z]+)(?=\/)/i, '/:tenant')
    .replace(/\/login\/[^/]+/, '/login/:uid')
    .replace(/\/authorize\/[^/]+/, '/authorize/:uid')
    .slice(0, 100);
}
