import fc from 'fast-check';
import { topicMatches } from './topic-pattern';

/** given a binding pattern, then it matches exactly these routing keys (and not those). */
function givenPattern(pattern: string) {
  return {
    thenMatches: (...keys: string[]) => keys.forEach((key) => expect([pattern, key, topicMatches(pattern, key)]).toEqual([pattern, key, true])),
    thenRejects: (...keys: string[]) => keys.forEach((key) => expect([pattern, key, topicMatches(pattern, key)]).toEqual([pattern, key, false])),
  };
}

describe('AMQP topic matching', () => {
  it('given an exact pattern, when the key is the same, then it matches, and only then', () => {
    givenPattern('workflow.WorkflowCreated').thenMatches('workflow.WorkflowCreated');
    givenPattern('workflow.WorkflowCreated').thenRejects(
      'workflow.WorkflowRenamed',
      'workflow',
      'workflow.WorkflowCreated.extra',
      'execution.WorkflowCreated',
      'workflow.workflowcreated',
    );
  });

  it('given `*`, when the key has exactly one word in its place, then it matches', () => {
    givenPattern('workflow.*').thenMatches('workflow.WorkflowCreated', 'workflow.WorkflowArchived');
    givenPattern('workflow.*').thenRejects('workflow', 'workflow.a.b', 'execution.StepStarted');
    givenPattern('*').thenMatches('workflow');
    givenPattern('*').thenRejects('workflow.WorkflowCreated');
  });

  it('given `a.*.c`, when the middle is one word, then it matches; zero or two words do not', () => {
    givenPattern('a.*.c').thenMatches('a.b.c', 'a.x.c');
    givenPattern('a.*.c').thenRejects('a.c', 'a.b.b.c', 'a.b.d', 'x.b.c');
  });

  it('given `workflow.#`, when the key is `workflow` alone, then it matches (`#` may be zero words)', () => {
    givenPattern('workflow.#').thenMatches('workflow', 'workflow.WorkflowCreated', 'workflow.a.b.c');
    givenPattern('workflow.#').thenRejects('execution.StepStarted', 'workflows.WorkflowCreated', 'other.workflow');
  });

  it('given `#` alone, then every key matches', () => {
    givenPattern('#').thenMatches('workflow', 'workflow.WorkflowCreated', 'a.b.c.d.e');
  });

  it('given `#.c`, when the key ends with the word `c`, then it matches', () => {
    givenPattern('#.c').thenMatches('c', 'a.c', 'a.b.c');
    givenPattern('#.c').thenRejects('a.c.d', 'a.cc', 'a');
  });

  it('given several `#`, when the fixed words appear in order, then it matches', () => {
    givenPattern('#.b.#').thenMatches('b', 'a.b', 'b.c', 'a.b.c', 'x.y.b.z.w');
    givenPattern('#.b.#').thenRejects('a', 'a.c', 'bb.a');
    givenPattern('a.#.b.#.c').thenMatches('a.b.c', 'a.x.b.y.c', 'a.x.y.b.c', 'a.b.b.c');
    givenPattern('a.#.b.#.c').thenRejects('a.c', 'a.x.c', 'a.c.b', 'a.b.c.d');
    givenPattern('#.#').thenMatches('a', 'a.b.c');
  });

  it('given `*` and `#` together, then `*` still needs a word of its own', () => {
    givenPattern('*.#').thenMatches('a', 'a.b', 'a.b.c');
    givenPattern('#.*.c').thenMatches('b.c', 'a.b.c');
    givenPattern('#.*.c').thenRejects('c');
  });

  it('property: any routing key matches `#` and itself', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
    const routingKey = fc.array(word, { minLength: 1, maxLength: 8 }).map((words) => words.join('.'));
    fc.assert(
      fc.property(routingKey, (key) => {
        expect(topicMatches('#', key)).toBe(true);
        expect(topicMatches(key, key)).toBe(true);
      }),
    );
  });

  it('property: a key with one word replaced by `*` still matches, and one with a word added does not', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 8 }), fc.nat(), word, (words, at, extra) => {
        const index = at % words.length;
        const pattern = words.map((w, i) => (i === index ? '*' : w)).join('.');
        expect(topicMatches(pattern, words.join('.'))).toBe(true);
        expect(topicMatches(pattern, [...words, extra].join('.'))).toBe(false);
      }),
    );
  });
});
