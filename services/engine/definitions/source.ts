import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';

import type { DefinitionError } from './errors';
import { formatPath } from './errors';

/** A parsed YAML text that still knows where each node came from. */
export interface YamlSource {
  /** The file name used in errors. */
  file: string;
  /** The plain data (maps become objects); undefined when the text has syntax errors. */
  data: unknown;
  /** Syntax errors, each with its line. */
  errors: DefinitionError[];
  /** 1-based line of the node at `path` (the key's line for a mapping entry), or of its deepest existing ancestor. */
  lineOf(path: readonly PropertyKey[]): number;
}

/** Parses one YAML text keeping positions (duplicate keys are syntax errors: one must not hide the other). */
export function parseYaml(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const lineAt = (offset: number) => lines.linePos(offset).line;
  const errors: DefinitionError[] = doc.errors.map((e) => ({
    file,
    line: e.linePos?.[0].line ?? 1,
    path: '',
    message: `YAML syntax error: ${firstLine(e.message)}`,
  }));
  let data: unknown;
  if (errors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // yaml refuses alias expansions that would blow up (a "billion laughs" text): report, never crash.
      errors.push({ file, line: 1, path: '', message: `YAML error: ${(err as Error).message}` });
    }
  }
  return { file, data, errors, lineOf: (path) => locate(doc, path, lineAt) };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

function locate(doc: Document, path: readonly PropertyKey[], lineAt: (offset: number) => number): number {
  let node: unknown = doc.contents;
  let line = node && (node as Node).range ? lineAt((node as Node).range![0]) : 1;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const key = pair.key as Node;
      if (key.range) line = lineAt(key.range[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      if (item.range) line = lineAt(item.range[0]);
      node = item;
    } else {
      break;
    }
  }
  return line;
}

/** Builds a located error at `path` of `source`. */
export function errorAt(source: YamlSource, path: readonly PropertyKey[], message: string): DefinitionError {
  return { file: source.file, line: source.lineOf(path), path: formatPath(path), message };
}
