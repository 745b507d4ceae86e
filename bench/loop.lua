-- Signed-in learners driving Pivot over HTTP: a wrk script (wrk is the Debian package).
--
-- Each wrk thread is one learner with one connection, its own cookie and its own state
-- machine. Run by bench/run.py, configured through the environment:
--   BENCH_MODE     loop (the study loop), home, dashboard, bare (/_bench/bare) or layout
--                  (/_bench/layout, the shared layout with nothing in it)
--   BENCH_CLIENTS  a file with one learner per line: user id, session cookie, CSRF token
--                  (tab-separated); thread N is the learner on line N
--   BENCH_BANKS    the banks to study, comma-separated; a learner moves to the next one
--                  when a session has nothing left to ask
--   BENCH_OUT      each thread writes its measurements to BENCH_OUT.<thread>
--   BENCH_RATE     (loop only) study-loop iterations per second across all threads: each
--                  thread starts its iterations on a fixed schedule and an iteration's
--                  latency counts from when it was due to start (no coordinated omission)
--   BENCH_PROBE    a prefix: every request asks the server to measure it (bench/wsgi.py)
--
-- The study loop is what a browser does: start a bank session (POST, redirect), then
-- show the question (GET; a flashcard is flipped by following its "Show answer" link, which
-- names the card shown), answer it
-- (POST with the CSRF token, question id, sequence number and shown-at time read from the
-- form, and a valid response for its type), then show the feedback, either by following
-- the answer's redirect or, if the answer returns the feedback page itself (200), directly.
-- One iteration is question + answer + feedback. When the feedback page carries the next
-- question (<template id="next-question">, which static/app.js shows on Continue), the next
-- iteration takes its question from there, as a browser does, without a GET.
--
-- Output lines:  R <kind> <latency µs> <status>   one per response
--                I <latency µs>                   one per completed loop iteration
--                E <event>                        stale form, invalid answer, empty session

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local timespec = ffi.new("bench_timespec")
local CLOCK_MONOTONIC = 1

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000000 + tonumber(timespec.tv_nsec) / 1000
end

-- The main thread numbers the wrk threads; each reads its own learner.
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
end

local mode, out, probe, cookie, token, user_id
local banks, bank = {}, 1
local next_kind, session, feedback_url, answer_url, answer_body, flip_url
local started, iteration_start, iteration_due, interval, offset
local requests = 0

local function split(text, sep)
  local parts = {}
  for part in string.gmatch(text, "([^" .. sep .. "]+)") do parts[#parts + 1] = part end
  return parts
end

function init(args)
  mode = os.getenv("BENCH_MODE") or "loop"
  banks = split(os.getenv("BENCH_BANKS") or "", ",")
  probe = os.getenv("BENCH_PROBE")
  local threads = 0
  for entry in io.lines(os.getenv("BENCH_CLIENTS")) do
    threads = threads + 1
    if threads == index then
      local fields = split(entry, "\t")
      user_id, cookie, token = fields[1], fields[2], fields[3]
    end
  end
  if not cookie then error("no learner for thread " .. index) end
  out = assert(io.open(os.getenv("BENCH_OUT") .. "." .. index, "w"))
  math.randomseed(index)
  next_kind = mode == "loop" and "start" or mode
  local rate = tonumber(os.getenv("BENCH_RATE") or "")
  if rate then
    interval = threads * 1000000 / rate  -- each thread's share of the rate
    offset = (index - 1) * interval / threads  -- threads take turns, not all at once
  end
end

-- The requests an iteration can start with: its question, or, when the last feedback page
-- carried the next question, that question's flip or answer.
local ITERATION_STARTS = { question = true, flip = true, answer = true }

-- Paced runs: hold back the start of each iteration until it is due.
if os.getenv("BENCH_RATE") then
  function delay()
    if not ITERATION_STARTS[next_kind] or iteration_start then return 0 end
    local now = now_us()
    if not iteration_due then iteration_due = now + offset end
    local wait = iteration_due - now
    return wait > 0 and math.floor(wait / 1000) or 0
  end
end

local function headers()
  local h = { Cookie = "session=" .. cookie }
  if probe then
    requests = requests + 1
    h["X-Bench-Probe"] = string.format("%s-%s-%d-%d", probe, next_kind, index, requests)
  end
  return h
end

local function encode(text)
  return (string.gsub(text, "[^%w%-_%.~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

-- LuaJIT has no utf8 library: a code point as UTF-8 bytes.
local function utf8_char(point)
  if point < 0x80 then return string.char(point) end
  if point < 0x800 then
    return string.char(0xC0 + math.floor(point / 0x40), 0x80 + point % 0x40)
  end
  if point < 0x10000 then
    return string.char(0xE0 + math.floor(point / 0x1000), 0x80 + math.floor(point / 0x40) % 0x40,
                       0x80 + point % 0x40)
  end
  return string.char(0xF0 + math.floor(point / 0x40000), 0x80 + math.floor(point / 0x1000) % 0x40,
                     0x80 + math.floor(point / 0x40) % 0x40, 0x80 + point % 0x40)
end

local ENTITIES = { amp = "&", lt = "<", gt = ">", quot = '"', apos = "'" }
local function unescape(text)
  return (string.gsub(text, "&(#?x?)(%w+);", function(kind, code)
    if kind == "#" then return utf8_char(tonumber(code)) end
    if kind == "#x" then return utf8_char(tonumber(code, 16)) end
    return ENTITIES[code] or ("&" .. kind .. code .. ";")
  end))
end

local function attr(tag, name)
  local value = string.match(tag, "%s" .. name .. '="([^"]*)"')
  return value and unescape(value)
end

-- The answer form's fields and a valid response for the question it holds.
local function answer_from(page)
  local action, form = string.match(page,
    '<form[^>]-action="([^"]*/answers)"[^>]*>(.-)</form>')
  if not form then return nil end
  answer_url = unescape(action)
  local fields, radios, boxes = {}, {}, {}
  local function add(name, value) fields[#fields + 1] = encode(name) .. "=" .. encode(value) end
  for tag in string.gmatch(form, "<input[^>]*>") do
    local name, kind = attr(tag, "name"), attr(tag, "type")
    if name == "csrf_token" or name == "question_id" or name == "seq" or name == "shown_at"
        or name == "offer" then
      add(name, attr(tag, "value"))
      if name == "csrf_token" then token = attr(tag, "value") end
    elseif kind == "radio" then radios[#radios + 1] = attr(tag, "value")
    elseif kind == "checkbox" then boxes[#boxes + 1] = attr(tag, "value")
    elseif name == "answer" then add(name, "1")  -- a number, and a word for short answers
    elseif name and string.match(name, "^gap%-%d+$") then add(name, "answer")
    end
  end
  if #radios > 0 then add("choice", radios[math.random(#radios)]) end
  if #boxes > 0 then add("choice", boxes[math.random(#boxes)]) end
  local position = 0
  for tag, options in string.gmatch(form, "(<select[^>]*>)(.-)</select>") do
    local name = attr(tag, "name")
    if string.match(name, "^position%-") then
      position = position + 1  -- the order shown, as the selects come preselected
      add(name, tostring(position))
    elseif string.match(name, "^match%-%d+$") then
      for value in string.gmatch(options, '<option value="([^"]+)"') do
        add(name, unescape(value))
        break
      end
    end
  end
  local ratings = {}
  for value in string.gmatch(form, '<button type="submit" name="rating" value="(%d)"') do
    ratings[#ratings + 1] = value
  end
  if #ratings > 0 then add("rating", ratings[math.random(#ratings)]) end
  return table.concat(fields, "&")
end

local function redirected(status)
  return status >= 300 and status < 400
end

local function path_of(location)
  return string.match(location or "", "^https?://[^/]+(/.*)$") or location
end

function request()
  started = now_us()
  if mode == "bare" then
    return wrk.format("GET", "/_bench/bare?id=" .. user_id, headers())
  elseif mode == "layout" then
    return wrk.format("GET", "/_bench/layout", headers())
  elseif mode == "home" then
    return wrk.format("GET", "/", headers())
  elseif mode == "dashboard" then
    return wrk.format("GET", "/dashboard", headers())
  end
  local h = headers()
  if next_kind == "start" then
    h["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", "/banks/" .. banks[bank] .. "/sessions", h,
                      "csrf_token=" .. encode(token))
  end
  if ITERATION_STARTS[next_kind] and not iteration_start then
    iteration_start = started
    if interval then
      iteration_start = iteration_due or started
      iteration_due = (iteration_due or started) + interval
    end
  end
  if next_kind == "question" then
    return wrk.format("GET", session, h)
  elseif next_kind == "flip" then
    return wrk.format("GET", flip_url, h)
  elseif next_kind == "answer" then
    h["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", answer_url, h, answer_body)
  else
    return wrk.format("GET", feedback_url, h)
  end
end

local function finish_iteration(now)
  out:write(string.format("I %d\n", now - iteration_start))
  iteration_start = nil
end

-- The next request for the question `page` shows: its answer, or its flip for a flashcard.
local function take_question(page)
  answer_body = answer_from(page)
  if answer_body then
    next_kind = "answer"
    return true
  end
  local flip = string.match(page, '<a[^>]-href="([^"]*)"[^>]-data%-key="flip"')
  if flip then
    flip_url = unescape(flip)
    next_kind = "flip"
    return true
  end
  return false
end

function response(status, response_headers, body)
  local now = now_us()
  local kind = next_kind
  out:write(string.format("R %s %d %d\n", kind, now - started, status))
  local set = response_headers["Set-Cookie"]
  if set then
    cookie = string.match(set, "session=([^;]*)") or cookie
  end
  if mode ~= "loop" then return end
  if kind == "start" then
    if redirected(status) then
      session = path_of(response_headers["Location"])
      next_kind = "question"
    else
      out:write("E start-" .. status .. "\n")
      bank = bank % #banks + 1
    end
  elseif kind == "question" or kind == "flip" then
    if status ~= 200 then
      out:write("E question-" .. status .. "\n")
      next_kind = "start"
    elseif not take_question(body) then
      -- The session has nothing more to ask now: study the next bank.
      out:write("E empty-session\n")
      iteration_start = nil
      bank = bank % #banks + 1
      next_kind = "start"
    end
  elseif kind == "answer" then
    local location = path_of(response_headers["Location"])
    if redirected(status) and location and string.find(location, "/reviews/", 1, true) then
      feedback_url = location
      next_kind = "feedback"
    elseif status == 200 then
      finish_iteration(now)  -- the answer came back with its feedback page
      next_kind = "question"
      -- The feedback page carries the session's next question, which a browser shows on
      -- Continue without a request (static/app.js): the next iteration starts from it.
      local upcoming = string.match(body, '<template id="next%-question".-</template>')
      if upcoming then take_question(upcoming) end
    else
      -- A redirect back to the question (a stale form), or 422 (a response it could not
      -- mark).
      out:write("E answer-" .. status .. "\n")
      next_kind = "question"
    end
  else
    if status == 200 then
      finish_iteration(now)
    else
      out:write("E feedback-" .. status .. "\n")
      iteration_start = nil
    end
    next_kind = "question"
  end
end
