/** The bare Piscina baseline's task: hand the input straight back, so a round trip measures only the hop. */
export default function echo(input: unknown): unknown {
  return input;
}
