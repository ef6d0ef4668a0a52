import type { Protocol } from './types';

/**
 * Kafka's protocol vote (GroupCoordinator.scala `selectProtocol`): the candidates are the protocols every
 * member supports; each member votes for its first candidate in its own preference order; most votes
 * wins, ties go to the name that sorts first. "" when there is no common protocol.
 */
export function chooseProtocol(members: readonly { protocols: readonly Protocol[] }[]): string {
  const [first, ...rest] = members;
  const candidates = (first?.protocols ?? [])
    .map((p) => p.name)
    .filter((n) => rest.every((m) => m.protocols.some((p) => p.name === n)));
  const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
  for (const m of members) {
    const vote = m.protocols.find((p) => votes.has(p.name));
    if (vote) votes.set(vote.name, (votes.get(vote.name) ?? 0) + 1);
  }
  return [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '';
}

/** Whether two protocol lists are the same names, order and metadata bytes (a rejoin that changes nothing). */
export function sameProtocols(a: readonly Protocol[], b: readonly Protocol[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => {
      const q = b[i];
      return q !== undefined && p.name === q.name && p.metadata.equals(q.metadata);
    })
  );
}

/** Whether a joining member's protocols share at least one name with every other member's. */
export function sharesProtocol(
  protocols: readonly Protocol[],
  others: Iterable<{ protocols: readonly Protocol[] }>,
): boolean {
  const names = new Set(protocols.map((p) => p.name));
  for (const m of others) if (!m.protocols.some((p) => names.has(p.name))) return false;
  return true;
}
