// The one place the browser tests get a browser: the machine's Chrome/Chromium when one is installed, else the
// Chromium build that ships inside the @sparticuz/chromium npm tarball (x64 Linux), so `npm ci && npm test`
// needs nothing the lockfile does not bring. HEARTH_TEST_CHROMIUM=bundled skips the system lookup (how the
// bundled path is tested on a machine that has Chromium); CHROMIUM_PATH names a browser explicitly. When no
// browser works, launching throws: the tests fail, they never skip.
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** As the machine's probe found: without these, Chromium keeps calling Google's hosts on a closed network. */
const QUIET_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserBinary {
  source: 'system' | 'bundled';
  executablePath: string;
  /** Environment for the browser process (the bundled build brings its own NSS libraries and fonts). */
  env?: Record<string, string>;
}

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

function systemBrowser(): BrowserBinary | null {
  if (process.env.HEARTH_TEST_CHROMIUM === 'bundled') return null;
  const path = [process.env.CHROMIUM_PATH, ...SYSTEM_BROWSERS].find((p) => p && isExecutable(p));
  return path ? { source: 'system', executablePath: path } : null;
}

/**
 * Unpacks the bundled Chromium (binary, fonts, the NSS libraries it links) once per machine into
 * $TMPDIR/hearth-chromium-<version>. The package unpacks into os.tmpdir(), so it is pointed at a fresh staging
 * folder that is then renamed into place: test files unpacking at once never see a half-written binary, and a
 * run killed mid-way leaves only a staging folder behind.
 */
async function bundledBrowser(): Promise<BrowserBinary> {
  const entry = fileURLToPath(import.meta.resolve('@sparticuz/chromium'));
  const packageRoot = join(dirname(entry), '..');
  const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  const dir = join(tmpdir(), `hearth-chromium-${version}`);
  if (!existsSync(join(dir, 'chromium'))) {
    const staging = mkdtempSync(join(tmpdir(), 'hearth-chromium-staging-'));
    const tmpdirBefore = process.env.TMPDIR;
    process.env.TMPDIR = staging;
    try {
      const { default: Chromium, inflate } = await import('@sparticuz/chromium');
      await Chromium.executablePath();
      await inflate(join(packageRoot, 'bin', 'al2023.tar.br'));
    } finally {
      if (tmpdirBefore === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdirBefore;
    }
    // The shipped fonts.conf points at Lambda's folders; without a font, text has no size and reads as hidden.
    writeFileSync(
      join(staging, 'fonts', 'fonts.conf'),
      `<?xml version="1.0"?>\n<fontconfig><dir>${join(dir, 'fonts')}</dir><cachedir>${join(dir, 'fonts-cache')}</cachedir></fontconfig>\n`,
    );
    try {
      renameSync(staging, dir);
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(join(dir, 'chromium'))) throw err; // not a concurrent unpack that got there first
    }
  }
  const env = {
    LD_LIBRARY_PATH: [join(dir, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
    FONTCONFIG_PATH: join(dir, 'fonts'),
  };
  return { source: 'bundled', executablePath: join(dir, 'chromium'), env };
}

/** The browser the tests use (see the top of this file). */
export async function findBrowser(): Promise<BrowserBinary> {
  return systemBrowser() ?? (await bundledBrowser());
}

/** Launches the browser headless; rejects, naming the binary, when it does not start. */
export async function launchBrowser(): Promise<Browser> {
  const binary = await findBrowser();
  try {
    return await chromium.launch({
      executablePath: binary.executablePath,
      args: QUIET_ARGS,
      env: binary.env ? { ...process.env, ...binary.env } : undefined,
    });
  } catch (err) {
    throw new Error(
      `the ${binary.source} browser ${binary.executablePath} did not start (install chromium, or set CHROMIUM_PATH): ${String(err)}`,
    );
  }
}
