--[[
  Loads the state of one or more users: a single Redis takes the whole batch in one call; on a Cluster,
  where the users' keys span slots, each call carries one user.

  KEYS[2i-1]  state hash of user i ({u:<id>}:s), fields r (revision), d (state document), p and t
              (sections of the state kept apart, see user-state-codec.ts)
  KEYS[2i]    history list of user i ({u:<id>}:h), one entry per event, oldest first

  Returns  a flat array: revision, document, p, t and history of each user in KEYS order; the first four
           are false where the hash lacks them; history is the list's entries joined by commas (each
           entry is JSON, so with brackets around it the list is one JSON array), "" when there are
           none: one string per user instead of one per event, which the client would parse into as
           many strings and join again
]]
local out = {}
for i = 1, #KEYS / 2 do
  local v = redis.call('HMGET', KEYS[2 * i - 1], 'r', 'd', 'p', 't')
  local at = 5 * (i - 1)
  out[at + 1] = v[1]
  out[at + 2] = v[2]
  out[at + 3] = v[3]
  out[at + 4] = v[4]
  out[at + 5] = table.concat(redis.call('LRANGE', KEYS[2 * i], 0, -1), ',')
end
return out
