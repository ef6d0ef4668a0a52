--[[
  Applies one user's batch result atomically: compare-and-set of the state on its revision, then the
  decision log append. Both keys share the user's hash tag, so this runs on Redis Cluster too.

  KEYS[1]  state hash of the user ({u:<id>}:s), fields r (revision) and d (state JSON)
  KEYS[2]  decision list of the user ({u:<id>}:d)
  ARGV[1]  expected revision (0 when the user had no state)
  ARGV[2]  next state JSON, or "" to leave the state as it is (decisions only, no CAS)
  ARGV[3]  time to live of the state, ms; the decision list's is raised to it, never lowered
  ARGV[4]  most decisions kept (0 keeps none)
  ARGV[5..] decision JSONs, oldest first

  Returns  1 applied; 0 conflict (the stored revision is not ARGV[1]: another writer got there first,
           nothing was written). Mapped to names in redis-scripts.ts (applyStatus).
]]
if ARGV[2] ~= '' then
  local current = tonumber(redis.call('HGET', KEYS[1], 'r') or '0')
  if current ~= tonumber(ARGV[1]) then
    return 0
  end
  redis.call('HSET', KEYS[1], 'r', current + 1, 'd', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
if #ARGV >= 5 and tonumber(ARGV[4]) > 0 then
  for i = 5, #ARGV do
    redis.call('LPUSH', KEYS[2], ARGV[i])
  end
  redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[4]) - 1)
  -- Never shorten the log's life: a decisions-only call passes a default TTL that may be shorter than
  -- the state's, and the log should live as long as the state it explains.
  if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[3]) then
    redis.call('PEXPIRE', KEYS[2], ARGV[3])
  end
end
return 1
