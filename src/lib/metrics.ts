// Prometheus metrics. Each process owns one registry: the web process serves it at /metrics (admin
// token) with the queue and database gauges computed at scrape time; a worker or clock process serves
// its own on METRICS_PORT when set.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  jobDuration: Histogram<'queue' | 'outcome'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  // prom-client's defaults are named process_*, nodejs_*: prefixed, hearth_process_cpu_seconds_total etc.
  collectDefaultMetrics({ register: registry, prefix: 'hearth_' });
  return {
    registry,
    jobDuration: new Histogram({
      name: 'hearth_job_duration_seconds',
      help: 'Job processing time by queue and outcome (completed, retry, failed)',
      labelNames: ['queue', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'hearth_http_request_duration_seconds',
      help: 'HTTP request duration by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

/** For processes without the API: serves the registry on its own port (keep it off the public network). */
export function serveMetrics(metrics: Metrics, port: number, opts: { host: string; token: string }): Promise<Server> {
  const expected = createHash('sha256').update(`Bearer ${opts.token}`).digest();
  const authorized = (header: string | undefined) =>
    timingSafeEqual(
      createHash('sha256')
        .update(header ?? '')
        .digest(),
      expected,
    );
  const server = createServer(async (req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    // As the web process's /metrics: the admin token (a metrics scraper sends it as a bearer token).
    if (!authorized(req.headers.authorization))
      return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end('admin token required\n');
    res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
  });
  return new Promise((resolve) => server.listen(port, opts.host, () => resolve(server)));
}
