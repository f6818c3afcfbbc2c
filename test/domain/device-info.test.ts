import { describe, expect, it } from 'vitest';
import { clientVersions, deviceInfo } from '../../src/domain/device-info.ts';

describe('deviceInfo', () => {
  it('a desktop browser: platform, OS, browser and major.minor versions, nothing more', () => {
    const info = deviceInfo(
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36',
      'supabase-js-web/2.45.4',
    );
    expect(info).toEqual({
      platform: 'desktop',
      os: 'macOS',
      os_version: '10.15',
      kind: 'browser',
      app: 'Chrome',
      app_version: '131.0',
      client: 'supabase-js-web',
      client_version: '2.45.4',
    });
    expect(JSON.stringify(info)).not.toMatch(/Apple|Blink|Catalina|6778/);
    expect(clientVersions(info)).toEqual(['supabase-js-web/2.45.4']);
  });

  it('a phone browser and a native app', () => {
    const phone = deviceInfo(
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      undefined,
    );
    expect(phone).toMatchObject({ platform: 'mobile', os: 'iOS', os_version: '17.5', app: 'Safari', client: null });
    expect(JSON.stringify(phone)).not.toContain('iPhone');
    const app = deviceInfo('HearthApp/2.1.3 (iOS 17.5)', 'supabase-flutter/2.5.0');
    expect(app).toMatchObject({ kind: 'app', app: 'HearthApp', app_version: '2.1.3', client: 'supabase-flutter' });
    expect(clientVersions(app)).toEqual(['HearthApp/2.1.3', 'supabase-flutter/2.5.0']);
  });

  it('nothing or garbage gives an unknown platform and nulls, never a throw', () => {
    expect(deviceInfo(undefined, undefined)).toEqual({
      platform: 'unknown',
      os: null,
      os_version: null,
      kind: null,
      app: null,
      app_version: null,
      client: null,
      client_version: null,
    });
    expect(deviceInfo('\u0000<script>'.repeat(200), '=/=').client).toBeNull();
  });
});
