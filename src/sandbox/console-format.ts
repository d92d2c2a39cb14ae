/**
 * Formats a sandboxed plugin's console arguments into at most `maxChars` characters, whatever their shape. It never
 * calls JSON.stringify or `util.inspect` on them (the first reaches a V8 fatal error on a holey array of many
 * references to one large string, the second hands custom-inspect hooks host functions), invokes no getter and no
 * `toJSON` (an accessor prints as `[Getter]`), and stops writing (and reading) once the line is full: every step
 * writes at least one character, so the work is bounded by the output, not by an array's `length`.
 */
const MAX_DEPTH = 8;

class Line {
  private readonly parts: string[] = [];
  private room: number;
  private readonly stack: object[] = [];
  constructor(maxChars: number) {
    this.room = Math.max(0, maxChars);
  }

  get full(): boolean {
    return this.room <= 0;
  }

  emit(text: string): void {
    if (this.room <= 0) return;
    const part = text.length > this.room ? text.slice(0, this.room) : text;
    this.parts.push(part);
    this.room -= part.length;
  }

  value(value: unknown, top: boolean): void {
    if (this.full) return;
    switch (typeof value) {
      case 'string':
        // cut before quoting, so a huge string costs what the line can hold
        return this.emit(top ? value.slice(0, this.room) : JSON.stringify(value.slice(0, this.room)));
      case 'bigint':
        return this.emit(`${value}n`);
      case 'symbol':
        return this.emit(describeSymbol(value));
      case 'function':
        return this.emit(`[Function ${functionName(value)}]`);
      case 'object':
        if (value === null) return this.emit('null');
        if (this.stack.includes(value)) return this.emit('[Circular]');
        if (this.stack.length >= MAX_DEPTH) return this.emit(Array.isArray(value) ? '[Array]' : '[Object]');
        this.stack.push(value);
        try {
          if (value instanceof Error) this.error(value);
          else if (Array.isArray(value)) this.array(value);
          else this.object(value);
        } finally {
          this.stack.pop();
        }
        return;
      default:
        return this.emit(String(value));
    }
  }

  private error(err: Error): void {
    const name = dataProperty(err, 'name') ?? dataProperty(Object.getPrototypeOf(err), 'name');
    const message = dataProperty(err, 'message');
    this.emit(`${typeof name === 'string' ? name.slice(0, 100) : 'Error'}: `);
    this.value(typeof message === 'string' ? message : '', true);
  }

  private array(list: unknown[]): void {
    const length = list.length;
    this.emit('[');
    for (let i = 0; i < length && !this.full; i++) {
      if (i) this.emit(',');
      this.property(list, String(i));
    }
    this.emit(']');
  }

  private object(obj: object): void {
    const keys = Object.keys(obj);
    this.emit('{');
    for (let i = 0; i < keys.length && !this.full; i++) {
      if (i) this.emit(',');
      this.emit(`${JSON.stringify(keys[i]!.slice(0, this.room))}:`);
      this.property(obj, keys[i]!);
    }
    this.emit('}');
  }

  /** A property's value by its descriptor: an accessor is not called, a hole prints as JSON would print it. */
  private property(obj: object, key: string): void {
    const desc = Object.getOwnPropertyDescriptor(obj, key);
    if (!desc) return this.emit('null');
    if (!('value' in desc)) return this.emit('[Getter]');
    this.value(desc.value, false);
  }

  toString(): string {
    return this.parts.join('');
  }
}

function dataProperty(obj: object | null, key: string): unknown {
  if (obj === null) return undefined;
  const desc = Object.getOwnPropertyDescriptor(obj, key);
  return desc && 'value' in desc ? desc.value : undefined;
}

function functionName(fn: Function): string {
  const name = dataProperty(fn, 'name');
  return typeof name === 'string' && name ? name.slice(0, 100) : '(anonymous)';
}

function describeSymbol(symbol: symbol): string {
  const description = symbol.description;
  return `Symbol(${description === undefined ? '' : description.slice(0, 100)})`;
}

/**
 * One console call's arguments as one line of at most `maxChars` characters (before control characters are
 * escaped). A plugin's Proxy traps may still run here: that is its own code, in its own worker, on its own time.
 */
export function formatArgs(args: readonly unknown[], maxChars: number): string {
  const line = new Line(maxChars);
  for (let i = 0; i < args.length && !line.full; i++) {
    if (i) line.emit(' ');
    try {
      line.value(args[i], true);
    } catch {
      line.emit('[unprintable value]');
    }
  }
  return line.toString();
}
