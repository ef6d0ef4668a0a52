import { chooseProtocol } from '../../../../services/devbroker/groups';

const m = (...names: string[]) => ({ protocols: names.map((name) => ({ name, metadata: Buffer.alloc(0) })) });

describe('chooseProtocol', () => {
  it('picks the protocol most members prefer among those all support', () => {
    expect(chooseProtocol([m('range', 'roundrobin'), m('roundrobin', 'range'), m('roundrobin')])).toBe(
      'roundrobin',
    );
  });

  it('ignores a preferred protocol that some member lacks', () => {
    expect(chooseProtocol([m('sticky', 'range'), m('range')])).toBe('range');
  });

  it('breaks a tie by name', () => {
    expect(chooseProtocol([m('b', 'a'), m('a', 'b')])).toBe('a');
  });

  it('answers "" without a common protocol', () => {
    expect(chooseProtocol([m('a'), m('b')])).toBe('');
  });
});
