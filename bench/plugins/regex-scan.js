// Scans every string of a payload for personal data, as a PII guardrail does, and reports the count in metadata.
// config.passes repeats the scan, so the CPU-heavy scenario can set how much work one call is.
// config.api picks how a scan matches: 'exec' (the default) loops RegExp.prototype.exec, as the bundled PII and
// secrets plugins do; 'match' calls String.prototype.match. Under the sandbox's lockdown RegExp.prototype is frozen,
// and V8 keeps its fast paths for match, replace and split only while that object is untouched: measured here,
// match costs 1.2-1.4x, replace ~2x and split ~22x after any change to it, exec 1.0x (README, Performance).
const PATTERNS = [
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
  /https?:\/\/[^\s"'<>]+/g,
  /\b(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}\b/g,
  /\b\d{3}-\d{2}-\d{4}\b/g,
  /\b(?:\d[ -]?){13,16}\b/g,
  /\b(?:\d{1,3}\.){3}\d{1,3}\b/g,
];

function countByMatch(text) {
  let hits = 0;
  for (const re of PATTERNS) {
    const found = text.match(re);
    if (found) hits += found.length;
  }
  return hits;
}

function countByExec(text) {
  let hits = 0;
  for (const re of PATTERNS) {
    re.lastIndex = 0;
    while (re.exec(text) !== null) hits++;
  }
  return hits;
}

function scan(value, countIn) {
  if (typeof value === 'string') return countIn(value);
  if (Array.isArray(value)) return value.reduce((sum, item) => sum + scan(item, countIn), 0);
  if (value !== null && typeof value === 'object') {
    let hits = 0;
    for (const key of Object.keys(value)) hits += scan(value[key], countIn);
    return hits;
  }
  return 0;
}

export default (config) => {
  const passes = config && config.passes > 0 ? config.passes : 1;
  const countIn = config && config.api === 'match' ? countByMatch : countByExec;
  const report = (value) => {
    let hits = 0;
    for (let i = 0; i < passes; i++) hits = scan(value, countIn);
    return hits > 0 ? { metadata: { pii_hits: hits } } : undefined;
  };
  return {
    tool_pre_invoke(payload) {
      return report(payload.args);
    },
    tool_post_invoke(payload) {
      return report(payload.result);
    },
  };
};
