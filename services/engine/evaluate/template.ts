/**
 * Interpolation of action params (spec "Actions"): `${event.*}` from the signal event (its `userId` is
 * the user's: stored events do not repeat it), `${profile.*}` from the profile. A reference to an absent
 * field makes the step `missing_field`: no half-filled message.
 */
import type { StoredEvent } from '../state';
import { eventField } from './conditions';
import type { Template } from './plan';

/** The rendered params, or the references that could not be resolved. */
export function renderParams(
  params: Readonly<Record<string, Template>>,
  event: StoredEvent,
  profile: Readonly<Record<string, string>>,
  userId: string,
): { params: Record<string, string>; missing: string[] } {
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const [key, template] of Object.entries(params)) {
    let text = '';
    for (const part of template) {
      if ('text' in part) {
        text += part.text;
        continue;
      }
      const { source, path } = part.ref;
      const v =
        source === 'event'
          ? path === 'userId'
            ? userId
            : eventField(event, path)
          : Object.hasOwn(profile, path)
            ? profile[path]
            : undefined;
      if (v === undefined) missing.push(`${source}.${path}`);
      else text += String(v);
    }
    out[key] = text;
  }
  return { params: out, missing };
}
