/** One problem in a definition file, located for the person who wrote it. */
export interface DefinitionError {
  /** The file (folder path joined with the file name) or the text's name (topic key). */
  file: string;
  /** 1-based line of the offending key or value; 1 when the file has no such node. */
  line: number;
  /** YAML path, e.g. `sequence[2].wait`; empty for the whole file. */
  path: string;
  /** What is wrong and what to write instead. */
  message: string;
}

/** `file:line path: message`, e.g. `triggers/cart.yaml:12 sequence[2].wait: "24" is not a duration (use 24h)`. */
export function formatDefinitionError(e: DefinitionError): string {
  return e.path === '' ? `${e.file}:${e.line} ${e.message}` : `${e.file}:${e.line} ${e.path}: ${e.message}`;
}

/** Path segments as written in messages: `sequence[2].wait`, `signal.where["properties.path"].startsWith`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** Sorts errors by file, then line, so a folder's report reads top to bottom. */
export function sortErrors(errors: DefinitionError[]): DefinitionError[] {
  return [...errors].sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}

/** The candidate closest to `word` when it is plausibly a typo of it (edit distance <= 1/3 of its length, max 3). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Levenshtein distance with adjacent transpositions counted as one edit. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}
