import { asJsonb, sharedJsonb } from './handle-command';
import { resolveConfig } from '../engine/expressions';

describe('sharedJsonb (a published definition that every run of the version carries)', () => {
  const definition = { steps: [{ id: 'a', config: { url: 'x', undef: undefined, b: 1 } }], edges: [], variables: [] };

  it('is what asJsonb gives, frozen all the way down', () => {
    const shared = sharedJsonb(definition);
    expect(shared).toEqual(asJsonb(definition));
    expect(JSON.stringify(shared)).toBe(JSON.stringify(asJsonb(definition)));
    expect(Object.isFrozen(shared)).toBe(true);
    expect(Object.isFrozen(shared.steps)).toBe(true);
    expect(Object.isFrozen(shared.steps[0].config)).toBe(true);
    expect(() => {
      'use strict';
      (shared.steps[0].config as Record<string, unknown>).url = 'changed';
    }).toThrow(TypeError);
  });

  it('comes back from asJsonb as the same object, wherever it sits: an event that carries it is not copied through it', () => {
    const shared = sharedJsonb(definition);
    expect(asJsonb(shared)).toBe(shared);
    const data = asJsonb({ executionId: 'e', definition: shared, input: { z: 1, a: undefined } }) as { definition: unknown; input: unknown };
    expect(data.definition).toBe(shared);
    expect(data.input).toEqual({ z: 1 });
  });

  it('leaves values not made by it to be copied as before, frozen or not', () => {
    const frozen = Object.freeze({ b: 1, a: undefined });
    expect(asJsonb(frozen)).not.toBe(frozen);
    expect(asJsonb(frozen)).toEqual({ b: 1 });
  });

  it('renders the templates of a shared step config on each use, with each run’s scope', async () => {
    const config = sharedJsonb({ method: 'POST', url: 'http://sink/{{ input.path }}', body: { total: '{{ input.n * 2 }}' } });
    expect(await resolveConfig('http_request', config, { input: { path: 'a', n: 1 } })).toMatchObject({ url: 'http://sink/a', body: { total: 2 } });
    expect(await resolveConfig('http_request', config, { input: { path: 'b', n: 5 } })).toMatchObject({ url: 'http://sink/b', body: { total: 10 } });
    expect(config.url).toBe('http://sink/{{ input.path }}');
  });
});
