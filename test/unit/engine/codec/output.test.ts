import { AvroCodec, createOutputEncoder } from '../../../../services/engine/codec';
import type { ActivationRecord } from '../../../../services/engine/codec';
import { EncodeError } from '../../../../services/engine/errors';
import { ACTIVATION, DECISION } from './fixtures';

const codec = AvroCodec.load();

describe('createOutputEncoder', () => {
  it('writes Avro single objects by default that decode back', () => {
    const encoder = createOutputEncoder(codec, 'avro');
    expect(encoder.encoding).toBe('avro');
    const decoded = codec.decode(encoder.activation(ACTIVATION));
    expect(decoded).toMatchObject({ ok: true, kind: 'activation', value: { activationId: 'a-1' } });
    expect(codec.decode(encoder.decision(DECISION))).toMatchObject({ ok: true, kind: 'decision' });
  });

  it('writes JSON with exactly the schema fields', () => {
    const encoder = createOutputEncoder(codec, 'json');
    const withExtra = { ...ACTIVATION, internalNote: 'not on the wire' } as ActivationRecord;
    const json = JSON.parse(encoder.activation(withExtra).toString('utf8')) as Record<string, unknown>;
    expect(json).toEqual(ACTIVATION);
    expect(JSON.parse(encoder.decision(DECISION).toString('utf8'))).toEqual(DECISION);
  });

  it('refuses in JSON what Avro would refuse, naming the field', () => {
    const encoder = createOutputEncoder(codec, 'json');
    const bad = { ...ACTIVATION, slaMs: 'soon' } as unknown as ActivationRecord;
    expect(() => encoder.activation(bad)).toThrow(EncodeError);
    expect(() => encoder.activation(bad)).toThrow(/slaMs/);
  });
});
