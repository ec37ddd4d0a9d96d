// One Koa app: operations endpoints, the admin API, sign-in pages, and oidc-provider on the
// reference paths. Tenant aliases (GUID, verified domain, organizations, common) resolve to
// the tenant before oidc-provider sees the request.
import { randomUUID } from 'node:crypto';
import bodyParser from '@koa/bodyparser';
import Router from '@koa/router';
import Koa, { type Context, type Next } from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { MonbanError } from '../errors/catalogue.js';
import { graphError } from '../admin/api.js';
import { Metrics, routeLabel } from './metrics.js';

export interface AppParts {
  tenantId: string;
  domains: string[];
  provider: Provider;
  adminRouter: Router;
  uiRouter: Router;
  metrics: Metrics;
  logger: Logger;
  isReady: () => boolean;
}

export function buildApp(parts: AppParts): Koa {
  const app = new Koa();
  app.silent = true;
  const { tenantId } = parts;
  const aliases = new Set([tenantId.toLowerCase(), 'organizations', 'common', ...parts.domains.map((d) => d.toLowerCase())]);
  const providerCallback = parts.provider.callback();
  const bodies = bodyParser({ enableTypes: ['json', 'form'], jsonLimit: '1mb', formLimit: '64kb', onError: () => { throw new MonbanError('invalid_request_body', 'The body could not be parsed.'); } });

  // Correlation id, access log, metrics, and a last-resort error handler without stack traces.
  app.use(async (ctx: Context, next: Next) => {
    const started = process.hrtime.bigint();
    const requested = ctx.get('client-request-id');
    ctx.state.correlationId = /^[0-9a-f-]{36}$/i.test(requested) ? requested : randomUUID();
    // oidc-provider runs its own Koa context: the id travels on the Node request.
    (ctx.req as typeof ctx.req & { monbanCorrelationId?: string }).monbanCorrelationId = ctx.state.correlationId as string;
    try {
      await next();
    } catch (e) {
      if (e instanceof MonbanError) {
        graphError(ctx, e);
      } else {
        parts.logger.error({ correlationId: ctx.state.correlationId, err: e instanceof Error ? e.message : String(e) }, 'unhandled error');
        graphError(ctx, new MonbanError('internal_error'));
      }
    } finally {
      const route = routeLabel(ctx.path);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      parts.metrics.requests.inc({ route, status: String(ctx.status) });
      parts.metrics.latency.observe({ route }, seconds);
      parts.logger.info({ correlationId: ctx.state.correlationId, method: ctx.method, route, status: ctx.status, ms: Math.round(seconds * 1000) }, 'request');
    }
  });

  app.use(async (ctx: Context, next: Next) => {
    const m = /^\/([^/]+)(\/.*)$/.exec(ctx.path);
    const alias = m?.[1]?.toLowerCase();
    const rest = m?.[2] ?? '';
    if (!alias || !aliases.has(alias) || rest.startsWith('/login/')) { await next(); return; }
    let target: string | undefined;
    if (rest === '/v2.0/.well-known/openid-configuration') target = '/.well-known/openid-configuration';
    else if (rest.startsWith('/oauth2/v2.0/') || rest === '/discovery/v2.0/keys' || rest === '/openid/v2.0/userinfo') target = `/${tenantId}${rest}`;
    if (!target) { await next(); return; }
    const search = ctx.querystring ? `?${ctx.querystring}` : '';
    // oidc-provider derives its mount path from originalUrl; both point at the rewritten path.
    ctx.req.url = `${target}${search}`;
    (ctx.req as typeof ctx.req & { originalUrl?: string }).originalUrl = ctx.req.url;
    ctx.respond = false;
    await providerCallback(ctx.req, ctx.res);
    ctx.status = ctx.res.statusCode;
  });

  // Operations endpoints come after the token path, which then skips their router.
  const ops = new Router();
  ops.get('/healthz', (ctx) => { ctx.body = { status: 'ok' }; });
  ops.get('/readyz', (ctx) => {
    ctx.status = parts.isReady() ? 200 : 503;
    ctx.body = { status: parts.isReady() ? 'ready' : 'starting' };
  });
  ops.get('/metrics', async (ctx) => {
    ctx.type = parts.metrics.registry.contentType;
    ctx.body = await parts.metrics.registry.metrics();
  });
  app.use(ops.routes());

  // Graph beta is a superset of v1.0 for what Monban serves (What If lives under /beta there).
  app.use(async (ctx: Context, next: Next) => {
    if (ctx.path.startsWith('/beta/')) ctx.path = `/v1.0/${ctx.path.slice('/beta/'.length)}`;
    await next();
  });
  app.use(bodies);
  app.use(parts.uiRouter.routes());
  app.use(parts.adminRouter.routes());
  app.use(async (ctx: Context) => {
    throw new MonbanError('not_found', `Nothing is served at ${ctx.path}.`);
  });
  return app;
}
