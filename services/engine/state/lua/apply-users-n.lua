--[[
  Applies the batch result of one or more users, each atomically on its own terms: compare-and-set of
  the user's state on its revision (document and history list together), then the decision log append.
  A conflict refuses that user's writes and no other's. A single Redis takes the whole batch in one call;
  on a Cluster each call carries one user, whose three keys share the user's hash tag.

  KEYS[3i-2]  state hash of user i ({u:<id>}:s), fields r (revision), d (state document), p and t
  KEYS[3i-1]  decision list of user i ({u:<id>}:d)
  KEYS[3i]    history list of user i ({u:<id>}:h)
  ARGV[1]     most decisions kept (0 keeps none)
  ARGV[2]     integers separated by single spaces, for each user i in KEYS order: expected revision (0
              when the user had no state), time to live in ms (the decision list's is raised to it,
              never lowered), history entries to drop from the front (-1: the whole list is replaced),
              number of history entries m to append, number of decisions n; then the byte lengths of
              the user's 3 + m + n parts in ARGV[3]
  ARGV[3]     every user's parts, concatenated without separators, in KEYS order: next document or ""
              (decisions only, no compare-and-set, nothing else of the state written); the sections p
              and t, each "" when unchanged; the m history entries; the n decision JSONs (oldest first).
              Three arguments for the whole call rather than some ten per user: the client's cost is per
              argument.

  Returns  one status per user, in KEYS order: 1 applied, 0 conflict (nothing of that user was written).
           Mapped to names in redis-scripts.ts (applyStatus). Sizes that are malformed or do not match
           the body raise an error, naming the user whose part is at fault; each user is checked before
           anything of it is written, so the users before it stay written (Redis does not undo a
           script's writes).
]]
local kept = tonumber(ARGV[1])
local size = string.gmatch(ARGV[2], '[^ ]+')
local body = ARGV[3]
local pos = 1
local function int(i)
  local s = size()
  local n = s and string.match(s, '^%-?%d+$') and tonumber(s)
  if not n then
    error('apply-users-n: user ' .. i .. ' has malformed sizes near "' .. tostring(s) .. '"')
  end
  return n
end
-- The next `count` parts of the body; a user's parts are all read before anything of it is written.
local function parts(i, count)
  local out = {}
  for j = 1, count do
    local len = int(i)
    if len < 0 or pos + len - 1 > #body then
      error('apply-users-n: user ' .. i .. ' has a part of ' .. len .. ' bytes beyond the end of the body')
    end
    out[j] = string.sub(body, pos, pos + len - 1)
    pos = pos + len
  end
  return out
end
-- Pushes `values` onto `key` in order, a thousand per command (Lua's unpack has a stack limit).
local function push(command, key, values)
  for from = 1, #values, 1000 do
    redis.call(command, key, unpack(values, from, math.min(from + 999, #values)))
  end
end

local out = {}
for i = 1, #KEYS / 3 do
  local state, log, history = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local expected, ttl, drop, m, n = int(i), int(i), int(i), int(i), int(i)
  if m < 0 or n < 0 then
    error('apply-users-n: user ' .. i .. ' has a negative count of entries or decisions')
  end
  local doc, p, t = unpack(parts(i, 3))
  local entries, decisions = parts(i, m), parts(i, n)
  local status = 1
  if doc ~= '' then
    local current = tonumber(redis.call('HGET', state, 'r') or '0')
    if current ~= expected then
      status = 0
    else
      if p ~= '' and t ~= '' then
        redis.call('HSET', state, 'r', current + 1, 'd', doc, 'p', p, 't', t)
      elseif p ~= '' then
        redis.call('HSET', state, 'r', current + 1, 'd', doc, 'p', p)
      elseif t ~= '' then
        redis.call('HSET', state, 'r', current + 1, 'd', doc, 't', t)
      else
        redis.call('HSET', state, 'r', current + 1, 'd', doc)
      end
      redis.call('PEXPIRE', state, ttl)
      if drop < 0 then
        redis.call('DEL', history)
      elseif drop > 0 then
        redis.call('LTRIM', history, drop, -1)
      end
      push('RPUSH', history, entries)
      redis.call('PEXPIRE', history, ttl)
    end
  end
  if status == 1 and n > 0 and kept > 0 then
    push('LPUSH', log, decisions)
    redis.call('LTRIM', log, 0, kept - 1)
    -- Never shorten the log's life: a decisions-only call passes a default TTL that may be shorter than
    -- the state's, and the log should live as long as the state it explains.
    if redis.call('PTTL', log) < ttl then
      redis.call('PEXPIRE', log, ttl)
    end
  end
  out[i] = status
end
if size() ~= nil or pos ~= #body + 1 then
  error('apply-users-n: the sizes and the body do not end with the last user')
end
return out
