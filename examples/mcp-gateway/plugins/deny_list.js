// Blocks a tool call whose arguments mention a denied word. Self-contained (no imports), so it runs sandboxed.
export default (config) => {
  const words = config.words.map((w) => w.toLowerCase());
  return {
    tool_pre_invoke(payload) {
      const text = JSON.stringify(payload.args).toLowerCase();
      const word = words.find((w) => text.includes(w));
      if (!word) return undefined;
      return {
        continue_processing: false,
        violation: {
          reason: 'Denied word in tool arguments',
          description: `${payload.name} arguments mention "${word}"`,
          code: 'DENY_LIST',
        },
      };
    },
  };
};
