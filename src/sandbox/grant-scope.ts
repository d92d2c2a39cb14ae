/**
 * A plugin's grants live only as long as its invocation. Each plugin's capabilities ask its Lifetime before every
 * call: inside an open scope (an invocation, its load, its shutdown) the call runs; outside one it is refused with a
 * promise that never settles, and what a call started in a scope that has closed since never settles either (a
 * fetch is aborted too). A refusal that rejected or threw would feed a loop of the plugin's (`.catch(loop)`), a
 * promise that never settles ends it, and the plugin's code is then never run again until it is next invoked:
 * a compartment has no timers, so its grants are the only way back into its code.
 */
export interface Lifetime {
  /**
   * Runs `start` if the plugin's scope is open; its result settles only if that same scope is still open. `signal`
   * gives an AbortSignal that aborts when the scope closes (made on demand: most grants need none).
   */
  call<T>(start: (signal: () => AbortSignal) => T | Promise<T>): Promise<T>;
}

interface Scope {
  depth: number;
  /** aborted when the scope closes: stops the network work of what it started */
  controller?: AbortController;
}

/** One worker's scopes, by plugin id; a plugin has at most one invocation at a time in a worker. */
export class GrantScopes {
  private readonly open = new Map<string, Scope>();

  /** Opens (or re-enters) the plugin's scope; the returned function closes this entry, once. */
  begin(id: string): () => void {
    let scope = this.open.get(id);
    if (!scope) this.open.set(id, (scope = { depth: 0 }));
    const entered = scope;
    entered.depth++;
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      if (--entered.depth > 0 || this.open.get(id) !== entered) return;
      this.open.delete(id);
      entered.controller?.abort();
    };
  }

  /** Runs `fn` inside the plugin's scope, closing it when `fn` settles. */
  async within<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const end = this.begin(id);
    try {
      return await fn();
    } finally {
      end();
    }
  }

  lifetimeOf(id: string): Lifetime {
    return {
      call: <T>(start: (signal: () => AbortSignal) => T | Promise<T>): Promise<T> => {
        const scope = this.open.get(id);
        // a fresh promise each time: a shared one would keep every reaction the plugin hangs on it alive
        if (!scope) return new Promise<T>(() => {});
        return new Promise<T>((resolve, reject) => {
          const current = () => this.open.get(id) === scope;
          let pending: Promise<T>;
          try {
            pending = Promise.resolve(start(() => (scope.controller ??= new AbortController()).signal));
          } catch (err) {
            pending = Promise.reject(err);
          }
          pending.then((value) => current() && resolve(value), (err: unknown) => current() && reject(err));
        });
      },
    };
  }
}
