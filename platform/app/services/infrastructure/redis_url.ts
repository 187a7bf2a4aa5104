/**
 * The connection options a `redis://` or `rediss://` URL names (REDIS_URL): host, port, user and
 * password (percent-decoded), database number from the path, TLS for `rediss:`. Sessions, rate
 * limits and the job queue read the same URL the same way.
 */
export function redisOptionsOf(value: string) {
  const url = new URL(value)
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: Number(url.pathname.slice(1) || 0),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  }
}
