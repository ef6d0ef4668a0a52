/** Minimal reader of the Prometheus text format, for the demo's and the benchmark's summaries. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] as string] = l[2] as string;
    out.push({ name: m[1] as string, labels, value: Number(m[4]) });
  }
  return out;
}

/** Sum of a metric's samples grouped by one label (or all together with `by` null). */
export function sumBy(samples: Sample[], name: string, by: string | null): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = by === null ? '' : (s.labels[by] ?? '');
    out.set(key, (out.get(key) ?? 0) + s.value);
  }
  return out;
}

/** Quantile q of a histogram's buckets summed per `by` label, interpolated linearly within a bucket. */
export function histogramQuantile(
  samples: Sample[],
  name: string,
  by: string,
  q: number,
): Map<string, number> {
  const buckets = new Map<string, Map<number, number>>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket`) continue;
    const key = s.labels[by] ?? '';
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    const b = buckets.get(key) ?? new Map<number, number>();
    b.set(le, (b.get(le) ?? 0) + s.value);
    buckets.set(key, b);
  }
  const out = new Map<string, number>();
  for (const [key, b] of buckets) {
    const sorted = [...b].sort((x, y) => x[0] - y[0]);
    const total = sorted[sorted.length - 1]?.[1] ?? 0;
    if (total === 0) continue;
    const rank = q * total;
    let prevLe = 0;
    let prevCount = 0;
    for (const [le, count] of sorted) {
      if (count >= rank) {
        const upper = Number.isFinite(le) ? le : prevLe;
        const within = count === prevCount ? 0 : (rank - prevCount) / (count - prevCount);
        out.set(key, prevLe + (upper - prevLe) * within);
        break;
      }
      prevLe = le;
      prevCount = count;
    }
  }
  return out;
}
