import { DLQ_HEADERS, buildDlqRecord, parseDlqError } from '../../../../services/engine/ingest';

describe('buildDlqRecord', () => {
  it('keeps the original key and bytes and adds error and source headers', () => {
    const key = Buffer.from('u-1');
    const value = Buffer.from([0xde, 0xad]);
    const record = buildDlqRecord(
      'events.dlq',
      { topic: 'events.web', partition: 3, offset: '1234', key, value },
      'unknown_encoding',
      'The value is neither Avro nor JSON.',
    );
    expect(record.topic).toBe('events.dlq');
    expect(record.key).toBe(key);
    expect(record.value).toBe(value);
    expect(record.headers).toEqual({
      error: 'unknown_encoding: The value is neither Avro nor JSON.',
      'source.topic': 'events.web',
      'source.partition': '3',
      'source.offset': '1234',
    });
    expect(Object.keys(record.headers).sort()).toEqual(Object.values(DLQ_HEADERS).sort());
  });

  it('keeps a null key and value', () => {
    const record = buildDlqRecord(
      'x.dlq',
      { topic: 't', partition: 0, offset: '0', key: null, value: null },
      'r',
      'm',
    );
    expect(record.key).toBeNull();
    expect(record.value).toBeNull();
  });
});

describe('parseDlqError', () => {
  it('splits the reason from the sentence at the first colon-space', () => {
    expect(parseDlqError('invalid_field:context.timezone: context.timezone must be x: y.')).toEqual({
      reason: 'invalid_field:context.timezone',
      message: 'context.timezone must be x: y.',
    });
    expect(parseDlqError('bare')).toEqual({ reason: 'bare', message: '' });
  });
});
