// Headless Chromium from Debian, driven over the DevTools protocol by puppeteer-core. A page
// opened here records its console errors, uncaught exceptions and CSP violations, which the
// dashboard tests require to be none.
import puppeteer, { type Browser, type Page } from "puppeteer-core";

/** Where Chromium is: CHROMIUM_PATH (scripts/setup --test exports it), else Debian's path. */
export function chromiumPath(): string | undefined {
  const candidates = [
    Deno.env.get("CHROMIUM_PATH"),
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
  ];
  for (const path of candidates) {
    if (!path) continue;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* next */ }
  }
  return undefined;
}

export function launchChromium(path: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath: path,
    headless: true,
    // --no-sandbox: the suite runs as root, where Chromium's sandbox refuses to start.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
    protocolTimeout: 60_000,
  });
}

/**
 * Why Chromium cannot run here, or undefined when it can (a launch and a blank page, once).
 * Only this is a reason to skip the browser tests; anything after a good launch fails them.
 */
export async function whyNoChromium(): Promise<string | undefined> {
  const path = chromiumPath();
  if (!path) {
    return "Chromium is not installed (scripts/setup --test installs Debian's chromium; " +
      "or set CHROMIUM_PATH)";
  }
  try {
    const browser = await launchChromium(path);
    await browser.close();
    return undefined;
  } catch (error) {
    return `Chromium at ${path} cannot start: ${(error as Error).message.split("\n")[0]}`;
  }
}

export interface WatchedPage {
  page: Page;
  /** Console errors, page errors and failed requests, in order. */
  errors: string[];
  /** CSP violations the page reported (securitypolicyviolation events). */
  cspViolations(): Promise<string[]>;
}

export async function watchedPage(
  browser: Browser,
  viewport = { width: 1280, height: 900 },
): Promise<WatchedPage> {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error}`));
  page.on("requestfailed", (req) => {
    // The event stream is cut whenever the proxy stops; that is the reconnect tests' point.
    if (!req.url().endsWith("/events")) {
      errors.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
    }
  });
  // A string, not a function: this file is type-checked without the DOM's types.
  await page.evaluateOnNewDocument(`
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
    });
  `);
  return {
    page,
    errors,
    cspViolations: () => page.evaluate(`window.__csp ?? []`) as Promise<string[]>,
  };
}

/** Text of each backend row, by address: `{ "127.0.0.1:1234": "✓ up" }`. */
export function rowStates(page: Page): Promise<Record<string, string>> {
  return page.evaluate(`Object.fromEntries(
    [...document.querySelectorAll("#routes tbody tr")]
      .map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent]))`) as Promise<
    Record<string, string>
  >;
}

/** The folder screenshots go to (dist/test-artifacts/), made when missing. */
export async function artifactDir(): Promise<string> {
  const dir = new URL("../../../dist/test-artifacts/", import.meta.url).pathname;
  await Deno.mkdir(dir, { recursive: true });
  return dir;
}
