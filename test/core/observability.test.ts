import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { PluginError, PluginManager } from '../../src/index.js';
import { captureLogger, configPath, ctx, toolPayload, withManager } from '../helpers.js';

describe('observability: spans and logger', () => {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const logger = captureLogger();
  const manager = new PluginManager(configPath('observability'), { tracerProvider, logger });
  before(() => manager.initialize());
  after(async () => {
    await manager.shutdown();
    await tracerProvider.shutdown();
  });
  beforeEach(() => {
    exporter.reset();
    logger.lines.length = 0;
  });

  const spans = () => exporter.getFinishedSpans();
  const pluginSpan = (name: string): ReadableSpan => {
    const found = spans().filter((s) => s.name === `plugin.execute.${name}`);
    assert.equal(found.length, 1, `spans: ${spans().map((s) => s.name).join(', ')}`);
    return found[0]!;
  };

  test('one span per hook invocation, parent of one span per plugin run named plugin.execute.<name>', async () => {
    await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx());
    await manager.invokeHook('custom_check', { x: 1 }, ctx());
    const plugins = spans().filter((s) => s.name.startsWith('plugin.execute.'));
    const hooks = spans().filter((s) => !s.name.startsWith('plugin.execute.'));
    assert.equal(hooks.length, 2, `spans: ${spans().map((s) => s.name).join(', ')}`);
    assert.deepEqual(plugins.map((s) => s.name).sort(), ['plugin.execute.o_a', 'plugin.execute.o_a', 'plugin.execute.o_b', 'plugin.execute.o_b', 'plugin.execute.o_c']);
    const hookIds = new Set(hooks.map((s) => s.spanContext().spanId));
    for (const span of plugins) {
      assert.ok(span.parentSpanContext && hookIds.has(span.parentSpanContext.spanId), `${span.name} is not under a hook span`);
    }
    const custom = plugins.filter((s) => s.name === 'plugin.execute.o_b').map((s) => s.parentSpanContext!.spanId);
    assert.equal(new Set(custom).size, 2, 'each invocation has its own hook span');
  });

  test('plugin spans carry name, mode, priority, timeout, had_violation and modified_payload', async () => {
    await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ o_a: { trail: true } }));
    const expected = {
      'plugin.name': 'o_a', 'plugin.mode': 'enforce', 'plugin.priority': 5, 'plugin.timeout': 2,
      'plugin.had_violation': false, 'plugin.modified_payload': true,
    };
    const attributes = pluginSpan('o_a').attributes;
    for (const [key, value] of Object.entries(expected)) assert.equal(attributes[key], value, key);
    const c = pluginSpan('o_c').attributes;
    assert.equal(c['plugin.mode'], 'permissive');
    assert.equal(c['plugin.priority'], 25);
    assert.equal(c['plugin.modified_payload'], false);
    assert.equal(pluginSpan('o_a').status.code === SpanStatusCode.ERROR, false);
  });

  test('had_violation is true on the blocking plugin\'s span', async () => {
    const block = { block: { reason: 'r', description: 'd', code: 'C' } };
    await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ o_b: block }));
    assert.equal(pluginSpan('o_b').attributes['plugin.had_violation'], true);
    assert.equal(pluginSpan('o_a').attributes['plugin.had_violation'], false);
  });

  test('a failed plugin run ends its span with error status, whether the failure is ignored or raised', async () => {
    await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ o_b: { throw: 'traced failure' } }));
    assert.equal(pluginSpan('o_b').status.code, SpanStatusCode.ERROR);
    assert.notEqual(pluginSpan('o_c').status.code, SpanStatusCode.ERROR);
    exporter.reset();
    await assert.rejects(manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ o_a: { throw: 'raised' } })), PluginError);
    assert.equal(pluginSpan('o_a').status.code, SpanStatusCode.ERROR);
  });

  test('the logger receives the spec\'s warnings: ignored failures, would-blocks, rejected and denied modifications', async () => {
    await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({
      o_a: { set: { args: 'not an object' } },
      o_b: { throw: 'ignored failure' },
      o_c: { block: { reason: 'r', description: 'd', code: 'C' } },
    }));
    await manager.invokeHook('custom_check', { x: 1 }, ctx({ o_a: { replace: { y: 2 } } }));
    const said = (re: RegExp) => logger.lines.some((l) => re.test(l.message));
    assert.ok(said(/\bo_a\b.*tool_pre_invoke|tool_pre_invoke.*\bo_a\b/), `rejected modification not logged:\n${logger.text()}`);
    assert.ok(said(/ignored failure/), `ignored failure not logged:\n${logger.text()}`);
    assert.ok(said(/would block/i), `would-block not logged:\n${logger.text()}`);
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /custom_check/.test(l.message)), `denied modification not warned:\n${logger.text()}`);
  });
});

test('observability: without a tracerProvider option, spans go to the global provider', async () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  assert.ok(trace.setGlobalTracerProvider(provider), 'this file is the only one to set the global provider');
  try {
    await withManager(configPath('observability'), async (m) => {
      await m.invokeHook('tool_pre_invoke', toolPayload(), ctx());
    });
    assert.ok(exporter.getFinishedSpans().some((s) => s.name === 'plugin.execute.o_a'), exporter.getFinishedSpans().map((s) => s.name).join(', '));
  } finally {
    trace.disable();
    await provider.shutdown();
  }
});
