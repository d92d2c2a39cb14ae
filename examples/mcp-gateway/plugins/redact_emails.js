// Replaces email addresses in tool arguments (except the fields the config keeps, such as a recipient) and in
// tool results. Self-contained (no imports), so it runs sandboxed.
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;

export default (config) => {
  const keep = new Set(config.keep_arg_fields ?? []);
  const scrub = (value) => {
    if (typeof value === 'string') return value.replace(EMAIL, config.replacement);
    if (Array.isArray(value)) return value.map(scrub);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v)]));
    return value;
  };
  return {
    tool_pre_invoke(payload) {
      const args = Object.fromEntries(Object.entries(payload.args).map(([k, v]) => [k, keep.has(k) ? v : scrub(v)]));
      return { modified_payload: { ...payload, args } };
    },
    tool_post_invoke(payload) {
      return { modified_payload: { ...payload, result: scrub(payload.result) } };
    },
  };
};
