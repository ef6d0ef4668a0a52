--[[
  apply-user-2.lua for many users in one call (single Redis only: the keys span slots, so the store
  sends one apply-user-2.lua per user to a Cluster instead). Each user is applied on its own terms: a
  conflict refuses that user's writes and no other's.

  KEYS[2i-1], KEYS[2i]  state hash and decision list of user i, as in apply-user-2.lua
  ARGV[1]  most decisions kept (0 keeps none)
  then for each user i, in KEYS order: expected revision, next state JSON or "", time to live in ms,
  number of decisions n, then n decision JSONs (oldest first)

  Returns  one status per user, in KEYS order: 1 applied, 0 conflict (nothing of that user was written)
]]
local kept = tonumber(ARGV[1])
local out = {}
local a = 2
for i = 1, #KEYS / 2 do
  local state, log = KEYS[2 * i - 1], KEYS[2 * i]
  local expected, doc, ttl, n = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local first = a + 4
  a = first + n
  local status = 1
  if doc ~= '' then
    local current = tonumber(redis.call('HGET', state, 'r') or '0')
    if current ~= tonumber(expected) then
      status = 0
    else
      redis.call('HSET', state, 'r', current + 1, 'd', doc)
      redis.call('PEXPIRE', state, ttl)
    end
  end
  if status == 1 and n > 0 and kept > 0 then
    for j = first, first + n - 1 do
      redis.call('LPUSH', log, ARGV[j])
    end
    redis.call('LTRIM', log, 0, kept - 1)
    if redis.call('PTTL', log) < ttl then
      redis.call('PEXPIRE', log, ttl)
    end
  end
  out[i] = status
end
return out
