import { CHANNELS, inputTopicMap, topicNames } from '../../../../services/engine/ingest';

describe('topicNames', () => {
  it('gives the default names of spec/topics.md without a prefix', () => {
    const names = topicNames();
    expect(names.events).toEqual({
      web: 'events.web',
      mobile: 'events.mobile',
      email: 'events.email',
      paid: 'events.paid',
    });
    expect(names.activations.paid).toBe('activations.paid');
    expect([names.profiles, names.consent, names.triggerDefinitions, names.decisions, names.dlq]).toEqual([
      'profiles',
      'consent',
      'trigger-definitions',
      'decisions',
      'events.dlq',
    ]);
    expect(names.inputs).toEqual([
      'events.web',
      'events.mobile',
      'events.email',
      'events.paid',
      'profiles',
      'consent',
    ]);
  });

  it('prefixes every name', () => {
    const names = topicNames('acme.');
    expect(names.events.web).toBe('acme.events.web');
    expect(names.dlq).toBe('acme.events.dlq');
    expect(names.triggerDefinitions).toBe('acme.trigger-definitions');
    expect(names.inputs.every((t) => t.startsWith('acme.'))).toBe(true);
  });

  it('is frozen', () => {
    const names = topicNames();
    expect(Object.isFrozen(names)).toBe(true);
    expect(Object.isFrozen(names.events)).toBe(true);
  });
});

describe('inputTopicMap', () => {
  it('says which kind and channel each input topic carries', () => {
    const map = inputTopicMap(topicNames('p.'));
    for (const channel of CHANNELS)
      expect(map.get(`p.events.${channel}`)).toEqual({ kind: 'event', channel });
    expect(map.get('p.profiles')).toEqual({ kind: 'profile', channel: null });
    expect(map.get('p.consent')).toEqual({ kind: 'consent', channel: null });
    expect(map.get('p.decisions')).toBeUndefined();
    expect(map.get('events.web')).toBeUndefined();
    expect(map.size).toBe(6);
  });
});
