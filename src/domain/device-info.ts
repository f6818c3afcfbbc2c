// user_sessions.device_info from the request's User-Agent and X-Client-Info (supabase-js sends e.g.
// "supabase-js-web/2.45.4"), parsed with bowser (MIT). Kept coarse on purpose: platform type, OS, browser or
// app and their versions (major.minor for OS and browser) and the client library; never the device model,
// vendor, engine or the raw string (user_agent keeps that, capped). Pure.
import Bowser from 'bowser';

export interface DeviceInfo {
  platform: 'mobile' | 'tablet' | 'desktop' | 'tv' | 'unknown';
  os: string | null;
  os_version: string | null;
  /** A browser (has a rendering engine) or a native app / HTTP client named in the User-Agent. */
  kind: 'browser' | 'app' | null;
  app: string | null;
  app_version: string | null;
  /** The Supabase client library (X-Client-Info). */
  client: string | null;
  client_version: string | null;
}

const PLATFORMS = new Set(['mobile', 'tablet', 'desktop', 'tv']);
const NAME = /^[A-Za-z0-9 _.+-]{1,40}$/;

const name = (value: string | undefined) => (value && NAME.test(value.trim()) ? value.trim() : null);

/** The first `parts` numeric components of a version ("131.0.6778.85" → "131.0"), or null. */
const version = (value: string | undefined, parts: number) => {
  const m = /^\d+(?:\.\d+)*/.exec(value ?? '');
  return m ? m[0].split('.').slice(0, parts).join('.').slice(0, 20) : null;
};

/**
 * @example deviceInfo('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) … Version/17.5 Mobile/15E148 Safari/604.1', 'supabase-js-web/2.45.4')
 *   // { platform: 'mobile', os: 'iOS', os_version: '17.5', kind: 'browser', app: 'Safari', app_version: '17.5', client: 'supabase-js-web', client_version: '2.45.4' }
 */
export function deviceInfo(userAgent: string | undefined, clientInfo: string | undefined): DeviceInfo {
  const parsed = userAgent ? Bowser.parse(userAgent.slice(0, 512)) : undefined;
  const platform = parsed?.platform.type;
  // A native app names itself first ("HearthApp/3.0.1 (Android 14)"); browsers lead with "Mozilla/".
  const lead = /^([A-Za-z][A-Za-z0-9_.+-]{0,39})\/(\d[\w.]*)/.exec(userAgent ?? '');
  const native = lead && lead[1] !== 'Mozilla' ? { name: lead[1]!, version: lead[2]! } : null;
  const app = native?.name ?? name(parsed?.browser.name);
  const client = /^([A-Za-z0-9_.-]{1,40})\/(\d[\w.-]{0,30})/.exec(clientInfo ?? '');
  return {
    platform: platform && PLATFORMS.has(platform) ? (platform as DeviceInfo['platform']) : 'unknown',
    os: name(parsed?.os.name),
    // Windows reports "NT 10.0" as its version and "10" as its name.
    os_version: version(parsed?.os.version, 2) ?? version(parsed?.os.versionName, 2),
    kind: app ? (native || !parsed?.engine.name ? 'app' : 'browser') : null,
    app,
    app_version: native ? version(native.version, 3) : version(parsed?.browser.version, parsed?.engine.name ? 2 : 3),
    client: client?.[1] ?? null,
    client_version: client ? version(client[2], 3) : null,
  };
}

/** What service_metadata.client_versions records for a request: "<app>/<version>" and "<client>/<version>". */
export function clientVersions(info: DeviceInfo): string[] {
  return [
    info.kind === 'app' && info.app ? `${info.app}/${info.app_version ?? '?'}` : null,
    info.client ? `${info.client}/${info.client_version ?? '?'}` : null,
  ].filter((v): v is string => v !== null);
}
