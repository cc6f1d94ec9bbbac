-- wrk script for bench/load.py: each request autosaves a new runner note, as the runner's
-- script does when a coach starts typing one. Every wrk thread numbers its own notes, so no
-- two requests share a note id (a shared id would measure the version-clash answer instead).
-- load.py fills in the CSRF token and the Origin below; the cookie comes from wrk's -H.
counter = 0
thread_number = 0  -- replaced by setup() in each thread's own state
threads = 0

function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end

function init(args)
  math.randomseed(os.time() + thread_number)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-CSRFToken"] = "CSRF_TOKEN"
  wrk.headers["Origin"] = "ORIGIN"
end

function request()
  counter = counter + 1
  local id = string.format(
    "%08x-%04x-4%03x-8%03x-%012x",
    math.random(0, 0x7fffffff), thread_number, math.random(0, 0xfff), math.random(0, 0xfff), counter
  )
  local body = '{"uuid":"' .. id .. '","base_version":null,"body":"Rises when **winning** '
    .. counter .. '.","segment":0,"flow_stage":"find_out","visibility":"coach_only"}'
  return wrk.format(nil, nil, nil, body)
end
