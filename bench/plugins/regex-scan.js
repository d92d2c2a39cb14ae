// Scans every string of a payload for personal data, as a PII guardrail does, and reports the count in metadata.
// config.passes repeats the scan, so the CPU-heavy scenario can set how much work one call is.
const PATTERNS = [
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
  /https?:\/\/[^\s"'<>]+/g,
  /\b(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}\b/g,
  /\b\d{3}-\d{2}-\d{4}\b/g,
  /\b(?:\d[ -]?){13,16}\b/g,
  /\b(?:\d{1,3}\.){3}\d{1,3}\b/g,
];

function countIn(text) {
  let hits = 0;
  for (const re of PATTERNS) {
    const found = text.match(re);
    if (found) hits += found.length;
  }
  return hits;
}

function scan(value) {
  if (typeof value === 'string') return countIn(value);
  if (Array.isArray(value)) return value.reduce((sum, item) => sum + scan(item), 0);
  if (value !== null && typeof value === 'object') {
    let hits = 0;
    for (const key of Object.keys(value)) hits += scan(value[key]);
    return hits;
  }
  return 0;
}

function report(value, passes) {
  let hits = 0;
  for (let i = 0; i < passes; i++) hits = scan(value);
  return hits > 0 ? { metadata: { pii_hits: hits } } : undefined;
}

export default (config) => {
  const passes = config && config.passes > 0 ? config.passes : 1;
  return {
    tool_pre_invoke(payload) {
      return report(payload.args, passes);
    },
    tool_post_invoke(payload) {
      return report(payload.result, passes);
    },
  };
};
