import { checkEventPath, checkTemplate } from '../../../../services/engine/definitions/paths';

describe('checkEventPath', () => {
  it.each([
    'type',
    'channel',
    'sessionId',
    'properties.path',
    'properties.plan_id',
    'context.locale',
    'context.bot',
  ])('%s is an event field', (path) => expect(checkEventPath(path)).toBeUndefined());

  it.each([
    ['session_id', "did you mean 'sessionId'?"],
    ['propertes.plan', "did you mean 'properties.plan'?"],
    ['context.locle', "did you mean 'context.locale'?"],
    ['contxt.region', "did you mean 'context.region'?"],
  ])('%s is not, with a suggestion', (path, hint) => {
    expect(checkEventPath(path)).toBe(
      `"${path}" is not a field of an event (use type, channel, sessionId, properties.<name> or context.<locale|region|timezone|userAgent|bot>; ${hint})`,
    );
  });

  it.each(['properties', 'properties.', 'context.city', 'userId', 'foo.bar', 'properties.a.b'])(
    '%s is not an event field',
    (path) => expect(checkEventPath(path)).toMatch(/is not a field of an event/),
  );
});

describe('checkTemplate', () => {
  it('accepts every resolvable reference', () => {
    const template = [
      'eventId',
      'userId',
      'channel',
      'type',
      'occurredAt',
      'sessionId',
      'properties.plan',
      'context.locale',
    ]
      .map((f) => `\${event.${f}}`)
      .join(' ');
    expect(checkTemplate(`${template} \${profile.firstName}`)).toEqual({
      refs: expect.arrayContaining(['event.eventId', 'profile.firstName']) as unknown as string[],
      problems: [],
    });
    expect(checkTemplate('plain text').problems).toEqual([]);
  });

  it('names references that can never resolve, with a suggestion', () => {
    expect(checkTemplate('${event.properties}').problems).toEqual([
      '${event.properties} can never resolve (an event has eventId, userId, channel, type, occurredAt, sessionId, properties.<name>, context.<name>)',
    ]);
    expect(checkTemplate('${event.userid}').problems[0]).toMatch(/did you mean \$\{event\.userId\}\?\)$/);
    expect(checkTemplate('${event.propertes.plan}').problems[0]).toMatch(
      /did you mean \$\{event\.properties\.plan\}\?\)$/,
    );
    expect(checkTemplate('${evnt.type}').problems).toEqual([
      '${evnt.type} can never resolve (only ${event.*} and ${profile.*} can be used; did you mean ${event.type}?)',
    ]);
    expect(checkTemplate('${user.name}').problems).toEqual([
      '${user.name} can never resolve (only ${event.*} and ${profile.*} can be used)',
    ]);
    expect(checkTemplate('${profile}').problems).toEqual([
      '${profile} is not a profile attribute (write ${profile.<attribute>})',
    ]);
    expect(checkTemplate('${}').problems).toHaveLength(1);
  });

  it('reports an unclosed ${', () => {
    expect(checkTemplate('Hello ${profile.firstName').problems).toEqual([
      '"Hello ${profile.firstName" has a ${ without its closing } (write ${event.properties.name})',
    ]);
  });
});
