import { histogramQuantile, parseMetrics, sumBy } from '../../../scripts/metrics-text';

const TEXT = [
  '# HELP engine_records_total Records read.',
  '# TYPE engine_records_total counter',
  'engine_records_total{topic="events.web",outcome="ok"} 10',
  'engine_records_total{topic="events.web",outcome="dlq"} 2',
  'engine_records_total{topic="events.app",outcome="ok"} 5',
  'engine_up 1',
  'engine_label_escape{path="a\\"b"} 3',
  'not a sample line',
  '',
  '# TYPE engine_lag_seconds histogram',
  'engine_lag_seconds_bucket{le="0.1",lane="0"} 10',
  'engine_lag_seconds_bucket{le="0.5",lane="0"} 60',
  'engine_lag_seconds_bucket{le="1",lane="0"} 90',
  'engine_lag_seconds_bucket{le="+Inf",lane="0"} 100',
  'engine_lag_seconds_sum{lane="0"} 40',
  'engine_lag_seconds_count{lane="0"} 100',
].join('\n');

describe('parseMetrics', () => {
  const samples = parseMetrics(TEXT);

  it('reads name, labels and value of every sample line and skips comments, blanks and junk', () => {
    expect(samples).toHaveLength(11);
    expect(samples[0]).toEqual({
      name: 'engine_records_total',
      labels: { topic: 'events.web', outcome: 'ok' },
      value: 10,
    });
    expect(samples.find((s) => s.name === 'engine_up')).toEqual({ name: 'engine_up', labels: {}, value: 1 });
  });

  it('keeps an escaped quote inside a label value', () => {
    expect(samples.find((s) => s.name === 'engine_label_escape')?.labels).toEqual({ path: 'a\\"b' });
  });

  it('reads +Inf bucket bounds as labels', () => {
    expect(samples.filter((s) => s.labels.le === '+Inf').map((s) => s.value)).toEqual([100]);
  });
});

describe('sumBy', () => {
  const samples = parseMetrics(TEXT);

  it('sums a metric per label value', () => {
    expect(sumBy(samples, 'engine_records_total', 'topic')).toEqual(
      new Map([
        ['events.web', 12],
        ['events.app', 5],
      ]),
    );
  });

  it('sums everything under one empty key with by null, and ignores other metrics', () => {
    expect(sumBy(samples, 'engine_records_total', null)).toEqual(new Map([['', 17]]));
  });
});

describe('histogramQuantile', () => {
  const samples = parseMetrics(TEXT);

  it('interpolates linearly inside the bucket holding the rank', () => {
    // Median: rank 50 lies between 10 (le 0.1) and 60 (le 0.5): 0.1 + 0.4 * 40/50 = 0.42.
    expect(histogramQuantile(samples, 'engine_lag_seconds', 'lane', 0.5).get('0')).toBeCloseTo(0.42, 10);
    // p75: rank 75 between 60 (le 0.5) and 90 (le 1): 0.5 + 0.5 * 15/30 = 0.75.
    expect(histogramQuantile(samples, 'engine_lag_seconds', 'lane', 0.75).get('0')).toBeCloseTo(0.75, 10);
    // p5: rank 5 inside the first bucket, from 0: 0.1 * 5/10 = 0.05.
    expect(histogramQuantile(samples, 'engine_lag_seconds', 'lane', 0.05).get('0')).toBeCloseTo(0.05, 10);
  });

  it('answers the highest finite bound for a rank in the +Inf bucket', () => {
    expect(histogramQuantile(samples, 'engine_lag_seconds', 'lane', 0.99).get('0')).toBe(1);
  });

  it('sums the buckets of every series with the same label before ranking', () => {
    const two = parseMetrics(
      [
        'h_bucket{le="1",lane="0",topic="a"} 0',
        'h_bucket{le="2",lane="0",topic="a"} 10',
        'h_bucket{le="+Inf",lane="0",topic="a"} 10',
        'h_bucket{le="1",lane="0",topic="b"} 10',
        'h_bucket{le="2",lane="0",topic="b"} 10',
        'h_bucket{le="+Inf",lane="0",topic="b"} 10',
      ].join('\n'),
    );
    // 20 in all, 10 at or under 1: the median is exactly 1; per topic it would be 1.5 or 0.5.
    expect(histogramQuantile(two, 'h', 'lane', 0.5).get('0')).toBeCloseTo(1, 10);
    const byTopic = histogramQuantile(two, 'h', 'topic', 0.5);
    expect(byTopic.get('a')).toBeCloseTo(1.5, 10);
    expect(byTopic.get('b')).toBeCloseTo(0.5, 10);
  });

  it('leaves out a series with no observations', () => {
    const empty = parseMetrics('h_bucket{le="1",lane="0"} 0\nh_bucket{le="+Inf",lane="0"} 0');
    expect(histogramQuantile(empty, 'h', 'lane', 0.5).size).toBe(0);
  });
});
