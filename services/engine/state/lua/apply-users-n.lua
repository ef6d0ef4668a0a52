--[[
  Applies the batch result of one or more users, each atomically on its own terms: compare-and-set of
  the user's state on its revision (document and history list together), then the decision log append.
  A conflict refuses that user's writes and no other's. A single Redis takes the whole batch in one call;
  on a Cluster each call carries one user, whose three keys share the user's hash tag.

  KEYS[3i-2]  state hash of user i ({u:<id>}:s), fields r (revision), d (state document), p and t
  KEYS[3i-1]  decision list of user i ({u:<id>}:d)
  KEYS[3i]    history list of user i ({u:<id>}:h)
  ARGV[1]     most decisions kept (0 keeps none)
  then for each user i, in KEYS order:
    a header of five integers separated by single spaces: expected revision (0 when the user had no
    state), time to live in ms (the decision list's is raised to it, never lowered), history entries to
    drop from the front (-1: the whole list is replaced), number of history entries m to append, number
    of decisions n (one argument rather than five: the client's cost is per argument);
    next document or "" (decisions only, no compare-and-set, nothing else of the state written); the
    sections p and t, each "" when unchanged; the m history entries; the n decision JSONs (oldest first)

  Returns  one status per user, in KEYS order: 1 applied, 0 conflict (nothing of that user was written).
           Mapped to names in redis-scripts.ts (applyStatus).
]]
local kept = tonumber(ARGV[1])
local out = {}
local a = 2
for i = 1, #KEYS / 3 do
  local state, log, history = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local expected, ttl, drop, m, n = string.match(ARGV[a], '^(%d+) (%d+) (%-?%d+) (%d+) (%d+)$')
  if not expected then
    return redis.error_reply('apply-users-n: user ' .. i .. ' has a malformed header "' .. tostring(ARGV[a]) .. '"')
  end
  ttl, drop, m, n = tonumber(ttl), tonumber(drop), tonumber(m), tonumber(n)
  local doc, p, t = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  local entries = a + 4
  local first = entries + m
  a = first + n
  local status = 1
  if doc ~= '' then
    local current = tonumber(redis.call('HGET', state, 'r') or '0')
    if current ~= tonumber(expected) then
      status = 0
    else
      redis.call('HSET', state, 'r', current + 1, 'd', doc)
      if p ~= '' then
        redis.call('HSET', state, 'p', p)
      end
      if t ~= '' then
        redis.call('HSET', state, 't', t)
      end
      redis.call('PEXPIRE', state, ttl)
      if drop < 0 then
        redis.call('DEL', history)
      elseif drop > 0 then
        redis.call('LTRIM', history, drop, -1)
      end
      for j = entries, entries + m - 1 do
        redis.call('RPUSH', history, ARGV[j])
      end
      redis.call('PEXPIRE', history, ttl)
    end
  end
  if status == 1 and n > 0 and kept > 0 then
    for j = first, first + n - 1 do
      redis.call('LPUSH', log, ARGV[j])
    end
    redis.call('LTRIM', log, 0, kept - 1)
    -- Never shorten the log's life: a decisions-only call passes a default TTL that may be shorter than
    -- the state's, and the log should live as long as the state it explains.
    if redis.call('PTTL', log) < ttl then
      redis.call('PEXPIRE', log, ttl)
    end
  end
  out[i] = status
end
return out
