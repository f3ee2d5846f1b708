-- wrk script for scripts/loadtest.sh: mixed GraphQL traffic against one server.
--
-- Each wrk thread keeps its own orders moving through their life: it creates an
-- order (createOrder, as the merchant's admin), approves it on the sandbox payment
-- page like a shopper, waits for the confirmation (webhook and job), fulfils all of it
-- (fulfilAll), then refunds all of it (refundAll). Between those it reads pages of
-- orders as PSP staff. The mix is weights of reads, creates, fulfils and refunds
-- (LOADTEST_MIX, default 70:10:10:10); a fulfil or refund with no order ready for it
-- becomes a read. Every answer is checked: HTTP status, top-level GraphQL errors and
-- userErrors are counted per kind and printed when wrk is done.
--
-- Environment (set by loadtest.sh): ADMIN_TOKEN, MERCHANT_TOKEN, COMPANY_ID, SHOP_ID,
-- LOADTEST_MIX.

local admin_token = os.getenv("ADMIN_TOKEN")
local merchant_token = os.getenv("MERCHANT_TOKEN")
local company_id = os.getenv("COMPANY_ID")
local shop_id = os.getenv("SHOP_ID")
local mix = os.getenv("LOADTEST_MIX") or "70:10:10:10"
local confirm_wait = 5 -- seconds between approval and fulfilment: webhook, job, status fetch

local kinds = { "read", "create", "approve", "fulfil", "refund" }
local fields = { "sent", "ok", "http_errors", "gql_errors", "user_errors" }

-- Counters are scalar globals, n_<kind>_<field>: wrk hands scalars from the threads to
-- done(), and Debian's wrk 4.1 crashes copying nested tables.
local function inc(kind, field)
  local name = "n_" .. kind .. "_" .. field
  _G[name] = _G[name] + 1
end
local threads = {}
local thread_id = 0

-- LOADTEST_ADDRS ("127.0.0.1:18789 127.0.0.1:18790"): the instances behind the load
-- balancer; thread i talks to instance i mod n, so every instance serves reads, creates,
-- approvals, fulfilments and refunds of orders another instance may have created.
local addrs = {}
for a in string.gmatch(os.getenv("LOADTEST_ADDRS") or "", "%S+") do
  local host, port = string.match(a, "^(.+):(%d+)$")
  table.insert(addrs, wrk.lookup(host, port)[1])
end

function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
  if #addrs > 0 then
    thread.addr = addrs[(thread_id - 1) % #addrs + 1]
  end
  table.insert(threads, thread)
end

local function gql(token, query, variables)
  -- The queries hold no quotes or backslashes: they go into JSON as they are.
  local body = '{"query":"' .. query .. '","variables":' .. variables .. '}'
  return wrk.format("POST", "/graphql", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

local read_query = "query LoadRead($after: Cursor) { orders(first: 50, after: $after, orderBy: {field: CREATED_AT, direction: DESC}) " ..
  "{ pageInfo { hasNextPage endCursor } edges { node { id reference status fulfilmentStatus amount { amount currency } " ..
  "items { sku quantity total { amount } fulfilledQuantity } fulfilments { id status amount { amount } } " ..
  "refunds { id status amount { amount } } } } } }"
local create_query = "mutation LoadCreate($input: CreateOrderInput!) { createOrder(input: $input) " ..
  "{ order { id } paymentUrl userErrors { code message } } }"
local fulfil_query = "mutation LoadFulfil($input: FulfilAllInput!) { fulfilAll(input: $input) " ..
  "{ fulfilment { id status } order { id } userErrors { code message } } }"
local refund_query = "mutation LoadRefund($input: RefundAllInput!) { refundAll(input: $input) " ..
  "{ refund { id status } order { id } userErrors { code message } } }"

function init(args)
  weights = {}
  local total = 0
  for w in string.gmatch(mix, "%d+") do
    table.insert(weights, tonumber(w))
    total = total + tonumber(w)
  end
  weights.total = total
  for _, k in ipairs(kinds) do
    for _, f in ipairs(fields) do _G["n_" .. k .. "_" .. f] = 0 end
  end
  first_error = ""
  to_approve, approved, fulfilled = {}, {}, {}
  seq = 0
  pending_kind = {} -- FIFO of the kinds sent, to check each answer as its kind
  math.randomseed(os.time() + id * 7919)
end

local function pick()
  local r = math.random() * weights.total
  local names = { "read", "create", "fulfil", "refund" }
  for i, w in ipairs(weights) do
    if r < w then return names[i] end
    r = r - w
  end
  return "read"
end

function request()
  local kind = pick()
  -- An approval is the shopper's next step after a create: it goes first.
  if #to_approve > 0 and (kind == "create" or math.random() < 0.5) then
    local o = table.remove(to_approve, 1)
    table.insert(approved, { id = o.id, at = os.time() })
    table.insert(pending_kind, "approve")
    inc("approve", "sent")
    return wrk.format("POST", o.path, { ["Content-Type"] = "application/x-www-form-urlencoded" },
      "action=approve&productType=INVOICE")
  end
  if kind == "fulfil" then
    if #approved > 0 and os.time() - approved[1].at >= confirm_wait then
      local o = table.remove(approved, 1)
      table.insert(pending_kind, "fulfil")
      inc("fulfil", "sent")
      return gql(merchant_token, fulfil_query, '{"input":{"orderId":"' .. o.id .. '","idempotencyKey":"lt-f-' .. o.id .. '"}}')
    end
    kind = "read"
  elseif kind == "refund" then
    if #fulfilled > 0 then
      local oid = table.remove(fulfilled, 1)
      table.insert(pending_kind, "refund")
      inc("refund", "sent")
      return gql(merchant_token, refund_query, '{"input":{"orderId":"' .. oid .. '","reason":"load test","idempotencyKey":"lt-r-' .. oid .. '"}}')
    end
    kind = "read"
  end
  if kind == "create" then
    seq = seq + 1
    local ref = string.format("LT-%d-%d-%d", os.time(), id, seq)
    table.insert(pending_kind, "create")
    inc("create", "sent")
    return gql(merchant_token, create_query, '{"input":{"companyId":"' .. company_id .. '","shopId":"' .. shop_id ..
      '","reference":"' .. ref .. '","lang":"en","firstName":"Mari","lastName":"Tamm","email":"mari@example.com",' ..
      '"phone":"+37255555555","billingAddress":{"street":"Narva mnt 5","city":"Tallinn","postalCode":"10117","country":"EE"},' ..
      '"amount":"150.00","currency":"EUR","provider":"PAYWERK","items":[' ..
      '{"sku":"LAMP","name":"Lamp","quantity":"2","unitPrice":"50.00","vatRate":"22"},' ..
      '{"sku":"MUG","name":"Mug","quantity":"1","unitPrice":"50.00","vatRate":"22"}],' ..
      '"successUrl":"https://shop.example/ok","failedUrl":"https://shop.example/failed"}}')
  end
  table.insert(pending_kind, "read")
  inc("read", "sent")
  return gql(admin_token, read_query, '{}')
end

local function fail(what, body)
  if first_error == "" then
    first_error = what .. ": " .. string.sub(body or "", 1, 200)
  end
end

function response(status, headers, body)
  -- wrk answers a thread's connections in turn; a connection has one request in
  -- flight, so the kind is read from the answer itself where it can be.
  local kind = table.remove(pending_kind, 1) or "read"
  if string.find(body, '"createOrder"', 1, true) then kind = "create"
  elseif string.find(body, '"fulfilAll"', 1, true) then kind = "fulfil"
  elseif string.find(body, '"refundAll"', 1, true) then kind = "refund"
  elseif string.find(body, '"orders"', 1, true) then kind = "read"
  elseif status >= 300 and status < 400 then kind = "approve" end
  if status >= 400 then
    inc(kind, "http_errors")
    fail(kind .. " HTTP " .. status, body)
    return
  end
  if string.find(body, '"errors":', 1, true) then
    inc(kind, "gql_errors")
    fail(kind .. " GraphQL error", body)
    return
  end
  local code = string.match(body, '"userErrors":%[{"code":"([A-Z_]+)"')
  if code then
    inc(kind, "user_errors")
    fail(kind .. " userError " .. code, body)
    return
  end
  inc(kind, "ok")
  if kind == "create" then
    local oid = string.match(body, '"order":{"id":"([^"]+)"')
    local url = string.match(body, '"paymentUrl":"([^"]+)"')
    if oid and url then
      table.insert(to_approve, { id = oid, path = string.match(url, "^https?://[^/]+(/.*)$") })
    end
  elseif kind == "fulfil" then
    local oid = string.match(body, '"order":{"id":"([^"]+)"')
    if oid and string.find(body, '"status":"SUCCEEDED"', 1, true) then
      table.insert(fulfilled, oid)
    end
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, k in ipairs(kinds) do
    total[k] = {}
    for _, f in ipairs(fields) do total[k][f] = 0 end
  end
  local first = ""
  for _, t in ipairs(threads) do
    for _, k in ipairs(kinds) do
      for _, f in ipairs(fields) do total[k][f] = total[k][f] + (t:get("n_" .. k .. "_" .. f) or 0) end
    end
    local e = t:get("first_error")
    if first == "" and e and e ~= "" then first = e end
  end
  io.write("\nkind      sent      ok  http_err  gql_err  user_err\n")
  local errors = 0
  for _, k in ipairs(kinds) do
    local c = total[k]
    io.write(string.format("%-8s %6d  %6d  %8d  %7d  %8d\n", k, c.sent, c.ok, c.http_errors, c.gql_errors, c.user_errors))
    errors = errors + c.http_errors + c.gql_errors
  end
  local s = summary.errors
  errors = errors + s.connect + s.read + s.write + s.timeout
  io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d; non-2xx/3xx %d\n",
    s.connect, s.read, s.write, s.timeout, s.status))
  io.write(string.format("latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("ERRORS %d\n", errors))
  if first ~= "" then io.write("first problem: " .. first .. "\n") end
end
