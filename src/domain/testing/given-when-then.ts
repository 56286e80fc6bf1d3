import type { Command } from '@contracts';
import type { DecidedEvent, Decider, DomainError } from '../decider';

type Metadata = Command['metadata'];

/**
 * Given/when/then for any decider: `given(...events).when(command).then(events)` or
 * `.thenFails(code, kind)`. Commands are written without metadata; the spec supplies one.
 */
export function specFor<C extends Command, E extends DecidedEvent, S>(decider: Decider<C, E, S>, metadata: Metadata) {
  return (...events: E[]) => {
    const state = events.reduce(decider.evolve, decider.initialState());
    return {
      when: (command: Omit<C, 'metadata'>) => {
        const run = () => decider.decide({ ...command, metadata } as C, state);
        return {
          then: (expected: E[]) => expect(run()).toEqual(expected),
          thenFails: (code: string, kind: DomainError['kind']) => expect(run).toThrow(expect.objectContaining({ code, kind })),
        };
      },
    };
  };
}
