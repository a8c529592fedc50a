// Loaded first in <head> of every page the engine tests open (same origin, so a strict `script-src 'self'`
// allows it). It keeps what a test must not see, in `window.__engineProblems`: console.error calls,
// uncaught errors, unhandled rejections and CSP / Trusted Types violations (the event is composed, so one
// inside the widget's shadow root reaches the document). WebKit's WebDriver reports none of these itself.
(() => {
  /** @type {string[]} */
  const problems = [];
  Object.defineProperty(window, '__engineProblems', { value: problems });
  const text = (value) => {
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    try {
      return typeof value === 'string' ? value : JSON.stringify(value);
    } catch {
      return String(value);
    }
  };
  const consoleError = console.error;
  console.error = (...args) => {
    problems.push(`console.error: ${args.map(text).join(' ')}`);
    consoleError.apply(console, args);
  };
  window.addEventListener('error', (event) => {
    // Only script errors: a resource that failed to load fires a plain Event, not an ErrorEvent.
    if (event instanceof ErrorEvent) problems.push(`uncaught: ${event.message} (${event.filename}:${event.lineno})`);
  });
  window.addEventListener('unhandledrejection', (event) => problems.push(`unhandled rejection: ${text(event.reason)}`));
  document.addEventListener(
    'securitypolicyviolation',
    (event) => problems.push(`CSP: ${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} ${event.sample || ''}`.trim()),
    true,
  );
})();
