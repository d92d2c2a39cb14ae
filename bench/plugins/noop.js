// A plugin that does nothing: what a chain costs before any plugin does work.
export default () => ({
  tool_pre_invoke() {
    return undefined;
  },
  tool_post_invoke() {
    return undefined;
  },
});
