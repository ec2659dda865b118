-- Counts /probe answers by probe_success; done() prints them for bench.py.
ok, bad, other = 0, 0, 0
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  ok, bad, other = 0, 0, 0
end
function response(status, headers, body)
  if status ~= 200 then
    other = other + 1
  elseif string.find(body, "\nprobe_success 1", 1, true) then
    ok = ok + 1
  else
    bad = bad + 1
  end
end
function done(summary, latency, requests)
  local o, b, x = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    b = b + t:get("bad")
    x = x + t:get("other")
  end
  io.write(string.format("probes ok=%d failed=%d non200=%d\n", o, b, x))
end
