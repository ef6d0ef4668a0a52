import { closest } from './errors';

/** Top-level event fields a condition or `count.distinct` may refer to (spec: "Events the engine sees"). */
export const EVENT_FIELDS = ['type', 'channel', 'sessionId'] as const;
/** Keys of an event's `context`. */
export const CONTEXT_KEYS = ['locale', 'region', 'timezone', 'userAgent', 'bot'] as const;
/** Top-level event fields a `${event.*}` template may use. */
export const TEMPLATE_EVENT_FIELDS = [
  'eventId',
  'userId',
  'channel',
  'type',
  'occurredAt',
  'sessionId',
] as const;

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const FIELD_HELP =
  'use type, channel, sessionId, properties.<name> or context.<locale|region|timezone|userAgent|bot>';

/** `undefined` when `path` names a field of the event shape, else the message saying what to write. */
export function checkEventPath(path: string): string | undefined {
  if ((EVENT_FIELDS as readonly string[]).includes(path)) return undefined;
  const dot = path.indexOf('.');
  const head = dot < 0 ? path : path.slice(0, dot);
  const rest = dot < 0 ? '' : path.slice(dot + 1);
  if (head === 'properties' && NAME.test(rest)) return undefined;
  if (head === 'context' && (CONTEXT_KEYS as readonly string[]).includes(rest)) return undefined;
  return `"${path}" is not a field of an event (${FIELD_HELP}${hint(suggestPath(head, rest))})`;
}

function suggestPath(head: string, rest: string): string | undefined {
  if (rest === '') return closest(head, [...EVENT_FIELDS]);
  if (head === 'context') {
    const key = closest(rest, [...CONTEXT_KEYS]);
    return key && `context.${key}`;
  }
  const fixedHead = closest(head, ['properties', 'context']);
  if (fixedHead === 'properties' && NAME.test(rest)) return `properties.${rest}`;
  if (fixedHead === 'context') {
    const key = closest(rest, [...CONTEXT_KEYS]);
    return key && `context.${key}`;
  }
  return undefined;
}

function hint(suggestion: string | undefined): string {
  return suggestion ? `; did you mean '${suggestion}'?` : '';
}

const REF = /\$\{([^}]*)\}/g;

/** The references of a template, and a message for each that can never resolve (or an unclosed `${`). */
export function checkTemplate(template: string): { refs: string[]; problems: string[] } {
  const refs: string[] = [];
  const problems: string[] = [];
  for (const m of template.matchAll(REF)) {
    const ref = m[1] ?? '';
    refs.push(ref);
    const problem = checkRef(ref);
    if (problem) problems.push(problem);
  }
  if (template.replace(REF, '').includes('${')) {
    problems.push(`"${template}" has a \${ without its closing } (write \${event.properties.name})`);
  }
  return { refs, problems };
}

function checkRef(ref: string): string | undefined {
  const [root, ...restParts] = ref.split('.');
  const rest = restParts.join('.');
  if (root === 'profile') {
    return NAME.test(rest)
      ? undefined
      : `\${${ref}} is not a profile attribute (write \${profile.<attribute>})`;
  }
  if (root === 'event') {
    if ((TEMPLATE_EVENT_FIELDS as readonly string[]).includes(rest)) return undefined;
    const head = restParts[0] ?? '';
    const tail = restParts.slice(1).join('.');
    if (head === 'properties' && NAME.test(tail)) return undefined;
    if (head === 'context' && (CONTEXT_KEYS as readonly string[]).includes(tail)) return undefined;
    const top = restParts.length === 1 ? closest(head, [...TEMPLATE_EVENT_FIELDS]) : undefined;
    const sub = restParts.length > 1 ? suggestPath(head, tail) : undefined;
    const suggestion = top ? `event.${top}` : sub ? `event.${sub}` : undefined;
    return (
      `\${${ref}} can never resolve (an event has ${TEMPLATE_EVENT_FIELDS.join(', ')}, properties.<name>, ` +
      `context.<name>${suggestion ? `; did you mean \${${suggestion}}?` : ''})`
    );
  }
  const suggestion = closest(root ?? '', ['event', 'profile']);
  return (
    `\${${ref}} can never resolve (only \${event.*} and \${profile.*} can be used` +
    `${suggestion ? `; did you mean \${${[suggestion, ...restParts].join('.')}}?` : ''})`
  );
}
