// Spins forever when asked to (args.spin === true), else does nothing: the runaway-recovery scenario's plugin.
export default () => ({
  tool_pre_invoke(payload) {
    if (payload.args.spin === true) {
      for (;;) {
        // never returns; only the plugin timeout can stop it
      }
    }
    return undefined;
  },
});
