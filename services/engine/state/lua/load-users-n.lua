--[[
  Loads the state of one or more users: a single Redis takes the whole batch in one call; on a Cluster,
  where the users' keys span slots, each call carries one user.

  KEYS[2i-1]  state hash of user i ({u:<id>}:s), fields r (revision), d (state document), p, t, a and c
              (sections of the state kept apart, see user-state-codec.ts)
  KEYS[2i]    history list of user i ({u:<id>}:h), one entry per event, oldest first

  Returns  a flat array: revision, document, p, t, a, c and history entries (an array, empty when there
           are none) of each user in KEYS order; the first six are false where the hash lacks them
]]
local out = {}
for i = 1, #KEYS / 2 do
  local v = redis.call('HMGET', KEYS[2 * i - 1], 'r', 'd', 'p', 't', 'a', 'c')
  local at = 7 * (i - 1)
  for j = 1, 6 do
    out[at + j] = v[j]
  end
  out[at + 7] = redis.call('LRANGE', KEYS[2 * i], 0, -1)
end
return out
