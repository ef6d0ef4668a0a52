import { actionsOf } from './checks';
import type { Channel, PoliciesDefinition, Signal, TriggerDefinition } from './schema';

/** One trigger at a glance, after defaults from the policies: what `triggerctl validate` prints. */
export interface TriggerSummary {
  id: string;
  version: number;
  mode: TriggerDefinition['mode'];
  /** E.g. `page_view (web) where 1 condition, count >= 3 in 48h distinct sessionId`. */
  signal: string;
  /** Channels of the action steps, in order of first use. */
  channels: Channel[];
  /** Effective window per channel (the trigger's own, else the channel's in policies). */
  window: Partial<Record<Channel, string>>;
  /** Effective latency SLA per channel. */
  sla: Partial<Record<Channel, string>>;
}

/** Summarises a validated trigger (defaults resolved from `policies`). */
export function summarizeTrigger(t: TriggerDefinition, policies: PoliciesDefinition): TriggerSummary {
  const channels = [...new Set(actionsOf(t).map((a) => a.action.channel))];
  const window: Partial<Record<Channel, string>> = {};
  const sla: Partial<Record<Channel, string>> = {};
  for (const c of channels) {
    const policy = policies.channels[c];
    const w = t.window ?? policy?.window;
    const s = t.sla ?? policy?.sla;
    if (w) window[c] = w;
    if (s) sla[c] = s;
  }
  return {
    id: t.id,
    version: t.version,
    mode: t.mode,
    signal: describeSignal(t.signal),
    channels,
    window,
    sla,
  };
}

/** A short human description of a signal. */
export function describeSignal(s: Signal): string {
  const events = Array.isArray(s.event) ? s.event.join('|') : s.event;
  const parts = [s.channel ? `${events} (${s.channel})` : events];
  const where = Object.keys(s.where ?? {}).length;
  if (where > 0) parts.push(`where ${where} condition${where > 1 ? 's' : ''}`);
  if (s.count) {
    const within = s.count.within === 'session' ? 'one session' : s.count.within;
    parts.push(
      `count >= ${s.count.atLeast} in ${within}${s.count.distinct ? ` distinct ${s.count.distinct}` : ''}`,
    );
  }
  if (s.absent) {
    const absent = Array.isArray(s.absent.event) ? s.absent.event.join('|') : s.absent.event;
    parts.push(`then no ${absent} within ${s.absent.within}`);
  }
  if (s.after?.length)
    parts.push(`after ${s.after.length} history condition${s.after.length > 1 ? 's' : ''}`);
  const profile = Object.keys(s.profile ?? {}).length;
  if (profile > 0) parts.push(`profile ${profile} condition${profile > 1 ? 's' : ''}`);
  return parts.join(', ');
}

/** `30m` when all channels agree, else `web 30m, email 24h`. */
export function formatPerChannel(values: Partial<Record<Channel, string>>): string {
  const entries = Object.entries(values);
  const distinct = new Set(entries.map(([, v]) => v));
  if (distinct.size <= 1) return entries[0]?.[1] ?? '-';
  return entries.map(([c, v]) => `${c} ${v}`).join(', ');
}
