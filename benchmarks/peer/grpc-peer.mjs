// Helper of run-side-by-side.sh: builds gRPC request frames for h2load, checks each engine's answer once, seeds the
// Authz side through its Admin API, and turns h2load runs into `authz loadtest` results files.
//
// It runs from the npm prefix the script installs into, so that `@cerbos/api` (the Cerbos messages, generated
// JavaScript with the descriptors embedded: the npm packages ship no .proto files), `@bufbuild/protobuf` and
// `protobufjs` (which reads Authz's own .proto files) resolve.
//
// Usage: node grpc-peer.mjs <command> [args]
//   cerbos-frame <file>                   the CheckResources frame: `read` by a data-scientist on the training bucket
//   cerbos-check <port> <frame>           the three equivalence checks and the frame, each answer decoded and asserted
//   authz-seed <port> <protos dir>        the equivalent policies, through authz.v1.Admin
//   authz-frame <file> <protos dir>       the Authorize frame: s3:GetObject by the data scientist
//   authz-check <port> <frame> <protos>   the three equivalence checks and the frame, asserted
//   health-frame <file>                   the grpc.health.v1.Health/Check frame (empty service name)
//   health-check <port> <frame>           the health frame's answer must be SERVING
//   free-port                             prints a free loopback TCP port
//   new-key                               prints a fresh administrator key for the Authz server (AKIA....<secret>)
// Calls to authz.v1 services carry `authorization: Bearer $AUTHZ_API_KEY` when that variable is set.
//   h2load-results <out.json> <target note> <api> <connections> <warmup s> <duration s> <label>@<stdout>,<log>[,<cpu>] ...
//   summary <cerbos.json|-> <authz.json|-> <health.json|-> [<health-key.json>]   (each may be a comma-separated list, one per round)
//                                                          prints the ratios the performance goals are stated in; the
//                                                          last three may list one file per round, comma-separated
import http2 from "node:http2";
import net from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [command, ...args] = process.argv.slice(2);

const TENANT = "424242424242";
const BUCKET = "ml-training-data";
const OBJECT = `${BUCKET}/datasets/imagenet/part-00001.parquet`;
const CERBOS_PATH = "/cerbos.svc.v1.CerbosService/CheckResources";
const AUTHORIZE_PATH = "/authz.v1.Authorization/Authorize";
const HEALTH_PATH = "/grpc.health.v1.Health/Check";

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}

function frame(message) {
  const header = Buffer.alloc(5);
  header.writeUInt8(0, 0);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, Buffer.from(message)]);
}

// One unary gRPC call over h2c with prior knowledge. Resolves with the gRPC status and the response message bytes.
function call(port, urlPath, body, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const client = http2.connect(`http://127.0.0.1:${port}`);
    const timer = setTimeout(() => {
      client.destroy();
      reject(new Error(`no answer from 127.0.0.1:${port}${urlPath} within ${timeoutMs} ms`));
    }, timeoutMs);
    client.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    const headers0 = { ":method": "POST", ":path": urlPath, "content-type": "application/grpc", te: "trailers" };
    // Authz's own services need an access key; the script passes the server's bootstrap key in AUTHZ_API_KEY.
    if (urlPath.startsWith("/authz.v1.") && process.env.AUTHZ_API_KEY) headers0.authorization = `Bearer ${process.env.AUTHZ_API_KEY}`;
    const req = client.request(headers0);
    const chunks = [];
    let headers = {};
    let trailers = {};
    req.on("response", (h) => (headers = h));
    req.on("trailers", (t) => (trailers = t));
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      clearTimeout(timer);
      client.close();
      const data = Buffer.concat(chunks);
      const grpcStatus = Number(trailers["grpc-status"] ?? headers["grpc-status"] ?? -1);
      const grpcMessage = decodeURIComponent(String(trailers["grpc-message"] ?? headers["grpc-message"] ?? ""));
      const message = data.length >= 5 ? data.subarray(5, 5 + data.readUInt32BE(1)) : Buffer.alloc(0);
      resolve({ httpStatus: headers[":status"], grpcStatus, grpcMessage, message });
    });
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(body);
  });
}

// Retries while the server is starting (connection refused), up to `seconds`.
async function callWhenUp(port, urlPath, body, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      return await call(port, urlPath, body);
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`127.0.0.1:${port} did not answer within ${seconds} s: ${e.message}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

// ---- Cerbos --------------------------------------------------------------------------------------------------

async function cerbosMessages() {
  const { create, fromJson, toBinary, fromBinary, toJson } = await import("@bufbuild/protobuf");
  const { CheckResourcesRequestSchema } = await import("@cerbos/api/cerbos/request/v1/request_pb");
  const { CheckResourcesResponseSchema } = await import("@cerbos/api/cerbos/response/v1/response_pb");
  return {
    request(principalId, roles, action) {
      const message = fromJson(CheckResourcesRequestSchema, {
        requestId: "peer-benchmark",
        principal: { id: principalId, roles, attr: { team: "vision" } },
        resources: [{ actions: [action], resource: { kind: "s3_object", id: OBJECT, attr: { bucket: BUCKET } } }],
      });
      return toBinary(CheckResourcesRequestSchema, message);
    },
    effect(bytes, action) {
      const response = toJson(CheckResourcesResponseSchema, fromBinary(CheckResourcesResponseSchema, bytes));
      return response.results?.[0]?.actions?.[action] ?? `no result for \`${action}\`: ${JSON.stringify(response)}`;
    },
    create,
  };
}

// ---- Authz ---------------------------------------------------------------------------------------------------

async function authzRoot(protos) {
  const protobuf = (await import("protobufjs")).default;
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => (target.startsWith("google/protobuf/") ? target : path.join(protos, target));
  root.loadSync(["authz/v1/authorization.proto", "authz/v1/admin.proto"], { keepCase: true });
  return root;
}

function authorizeRequest(principal, action, resource) {
  return { principal, action, resource, context: { "aws:SourceIp": { values: ["10.1.2.3"] } } };
}

async function admin(root, port, method, request, { tolerate = [] } = {}) {
  const service = root.lookupService("authz.v1.Admin");
  const m = service.methods[method];
  const type = root.lookupType(m.requestType);
  const err = type.verify(request);
  if (err) fail(`${method}: ${err}`);
  const answer = await callWhenUp(port, `/authz.v1.Admin/${method}`, frame(type.encode(type.fromObject(request)).finish()));
  if (answer.grpcStatus !== 0 && !tolerate.includes(answer.grpcStatus))
    fail(`Admin/${method} answered gRPC status ${answer.grpcStatus}: ${answer.grpcMessage}`);
  return answer;
}

async function authzSeed(port, protos) {
  const root = await authzRoot(protos);
  const ALREADY_EXISTS = 6;
  const keep = { tolerate: [ALREADY_EXISTS] };
  const policy = (name) => `arn:aws:iam::${TENANT}:policy/${name}`;
  await admin(root, port, "CreateTenant", { tenant_id: TENANT, name: "peer benchmark" }, keep);
  await admin(root, port, "CreatePolicy", {
    tenant_id: TENANT, policy_name: "DataScientistRead",
    policy_document: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "ReadTrainingData", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/*` }] }),
  }, keep);
  await admin(root, port, "CreatePolicy", {
    tenant_id: TENANT, policy_name: "AdminFullAccess",
    policy_document: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Everything", Effect: "Allow", Action: "s3:*", Resource: "*" }] }),
  }, keep);
  await admin(root, port, "CreateGroup", { tenant_id: TENANT, group_name: "data-scientists" }, keep);
  await admin(root, port, "AttachGroupPolicy", { tenant_id: TENANT, group_name: "data-scientists", policy_arn: policy("DataScientistRead") });
  await admin(root, port, "CreateUser", { tenant_id: TENANT, user_name: "alice", tags: [{ key: "role", value: "data-scientist" }] }, keep);
  await admin(root, port, "AddUserToGroup", { tenant_id: TENANT, group_name: "data-scientists", user_name: "alice" }, keep);
  await admin(root, port, "CreateUser", { tenant_id: TENANT, user_name: "bob", tags: [{ key: "role", value: "admin" }] }, keep);
  await admin(root, port, "AttachUserPolicy", { tenant_id: TENANT, user_name: "bob", policy_arn: policy("AdminFullAccess") });
  await admin(root, port, "PutResourcePolicy", {
    tenant_id: TENANT, resource_arn: `arn:aws:s3:::${BUCKET}`,
    policy_document: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{
        Sid: "DeleteOnlyByAdmins", Effect: "Deny", Principal: "*", Action: "s3:DeleteObject", Resource: `arn:aws:s3:::${BUCKET}/*`,
        Condition: { StringNotEquals: { "aws:PrincipalTag/role": "admin" } },
      }],
    }),
  });
  console.log(`seeded tenant ${TENANT}: alice (data-scientists group, read on ${BUCKET}), bob (admin), bucket policy denying deletes to non-admins`);
}

async function authzAuthorize(root, port, request) {
  const req = root.lookupType("authz.v1.AuthorizeRequest");
  const res = root.lookupType("authz.v1.AuthorizeResponse");
  const answer = await callWhenUp(port, AUTHORIZE_PATH, frame(req.encode(req.fromObject(request)).finish()));
  if (answer.grpcStatus !== 0) fail(`Authorize answered gRPC status ${answer.grpcStatus}: ${answer.grpcMessage}`);
  return res.toObject(res.decode(answer.message), { enums: String });
}

// ---- h2load results ------------------------------------------------------------------------------------------

function parseH2load(stdout, log, label, connections, concurrency) {
  const text = fs.readFileSync(stdout, "utf8");
  const requests = text.match(/requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/);
  const finished = text.match(/finished in ([\d.]+)(m?s), ([\d.]+) req\/s/);
  if (!requests || !finished) fail(`cannot read h2load's output in ${stdout}`);
  const [, total, , done, succeeded, failed, errored, timeout] = requests.map(Number);
  const status = text.match(/status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/);
  const seconds = Number(finished[1]) / (finished[2] === "ms" ? 1000 : 1);
  const latencies = fs.readFileSync(log, "utf8").split("\n").filter(Boolean)
    .map((line) => line.split("\t")).filter((f) => f[1] === "200").map((f) => Number(f[2])).sort((a, b) => a - b);
  if (latencies.length === 0) fail(`h2load logged no successful request in ${log}`);
  const at = (p) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))];
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  const errors = {};
  if (failed) errors.HttpFailed = failed;
  if (errored) errors.Errored = errored;
  if (timeout) errors.Timeout = timeout;
  if (status && Number(status[4]) + Number(status[5]) > 0) errors.HttpNot2xx = Number(status[4]) + Number(status[5]);
  // Spectrum and log bins in the same shape as authz loadtest's.
  const spectrum = [];
  for (const p of [0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96.875, 97.5, 98.4375, 99, 99.21875, 99.5, 99.609375, 99.8046875, 99.9, 99.90234375, 99.951171875, 99.99, 99.999])
    if (p < 100 - 100 / latencies.length) spectrum.push({ percentile: p, microseconds: at(Math.max(p, 0.000001)) });
  spectrum.push({ percentile: 100, microseconds: latencies[latencies.length - 1] });
  const bins = new Map();
  for (const v of latencies) {
    const b = Math.floor(Math.log10(Math.max(1, v)) * 10);
    bins.set(b, (bins.get(b) ?? 0) + 1);
  }
  const keys = [...bins.keys()];
  const histogram = [];
  for (let b = Math.min(...keys); b <= Math.max(...keys); b++)
    histogram.push({ fromMicroseconds: +Math.pow(10, b / 10).toFixed(3), toMicroseconds: +Math.pow(10, (b + 1) / 10).toFixed(3), count: bins.get(b) ?? 0 });
  return {
    label, concurrency, elapsedSeconds: seconds, calls: done, checks: succeeded,
    callsPerSecond: Number(finished[3]), checksPerSecond: Number(finished[3]),
    latencyUs: { count: latencies.length, mean: Math.round(mean * 10) / 10, min: latencies[0], p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: latencies[latencies.length - 1] },
    errors, mismatches: 0, spectrum, histogram,
    note: `h2load: ${total} requests, ${connections} connections`,
  };
}

function h2loadResults(out, note, api, connections, warmup, duration, runs) {
  const steps = runs.map((run) => {
    const [label, files] = run.split("@");
    const [stdout, log, cpu] = files.split(",");
    const concurrency = Number(label.replace(/^c=/, ""));
    const step = parseH2load(stdout, log, label, Number(connections), concurrency);
    delete step.note;
    if (cpu && fs.existsSync(cpu)) {
      // Ticks of the server's process group over the measured window, and ticks per second.
      const [ticks, hz] = fs.readFileSync(cpu, "utf8").trim().split(/\s+/).map(Number);
      step.serverCpuSeconds = ticks / hz;
      step.serverCpuMicrosecondsPerCall = step.calls > 0 ? (step.serverCpuSeconds * 1e6) / step.calls : undefined;
    }
    return step;
  });
  const cpu = os.cpus()[0]?.model ?? null;
  const results = {
    schemaVersion: 1,
    generator: "h2load (benchmarks/peer/run-side-by-side.sh)",
    startedAt: new Date().toISOString(),
    machine: { hostName: os.hostname(), processorCount: os.cpus().length, cpuModel: cpu, os: `${os.type()} ${os.release()}`, runtime: `node ${process.version}`, loadAverage: os.loadavg()[0] },
    parameters: {
      targets: [note], mode: "closed", api, batchSize: 1, connections: Number(connections),
      warmupSeconds: Number(warmup), durationSeconds: Number(duration), distribution: "hot", tenants: 1, principals: 0, mix: "100,0,0",
      concurrency: steps.map((s) => s.concurrency), note: "percentiles are exact (nearest rank) over h2load's per-request log",
    },
    steps,
  };
  fs.writeFileSync(out, JSON.stringify(results, null, 2));
}

// Each argument may list several results files, comma-separated, one per round (run-side-by-side.sh --rounds): then
// every round has its row, and a median row follows. Its ratios are the medians of the rounds' own ratios, each taken
// between steps that ran minutes apart at most.
function summary(cerbosFiles, authzFiles, healthFiles, healthKeyFiles) {
  const load = (f) => (f && f !== "-" && fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, "utf8")) : null);
  const loadAll = (list) => (list && list !== "-" ? list.split(",").map(load).filter(Boolean) : []);
  const cerbos = loadAll(cerbosFiles), authz = loadAll(authzFiles), health = loadAll(healthFiles), healthKey = loadAll(healthKeyFiles);
  const rounds = Math.max(cerbos.length, authz.length, health.length, healthKey.length);
  const row = (r, label) => r?.steps.find((s) => s.label === label);
  const fmt = (n) => (n === undefined ? "–" : Math.round(n).toLocaleString("en-US"));
  const us = (n) => (n === undefined ? "–" : n < 1000 ? `${Math.round(n)} µs` : `${(n / 1000).toFixed(2)} ms`);
  const ratio = (a, b) => (a && b ? a / b : undefined);
  const times = (n) => (n === undefined ? "–" : `${n.toFixed(2)}×`);
  const median = (values) => {
    const v = values.filter((x) => x !== undefined).sort((x, y) => x - y);
    if (v.length === 0) return undefined;
    const m = v.length >> 1;
    return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
  };
  const figures = (step) => step && { calls: step.callsPerSecond, p50: step.latencyUs.p50, p99: step.latencyUs.p99, cpu: step.serverCpuMicrosecondsPerCall };
  const cpu = (n) => (n === undefined ? "–" : n.toFixed(1));
  const print = (name, c, a, h, k, { peer, p99, floor, keyFloor, cpuFloor }) => console.log(
    `${name.padEnd(12)} ${fmt(c?.calls).padStart(14)}  ${us(c?.p50).padEnd(9)} ${us(c?.p99).padEnd(9)} | ` +
    `${fmt(a?.calls).padStart(13)}  ${us(a?.p50).padEnd(9)} ${us(a?.p99).padEnd(9)} | ` +
    `${fmt(h?.calls).padStart(14)}  ${fmt(k?.calls).padStart(12)} | ` +
    `${times(peer).padStart(20)}  ${times(p99).padStart(17)} | ` +
    `${times(floor).padStart(12)}  ${times(keyFloor).padStart(18)} | ` +
    `${cpu(c?.cpu).padStart(14)}  ${cpu(a?.cpu).padStart(13)}  ${cpu(h?.cpu).padStart(14)}  ${times(cpuFloor).padStart(19)}`);
  const labels = [...new Set([...cerbos, ...authz, ...health, ...healthKey].flatMap((r) => r.steps.map((s) => s.label)))];
  console.log("");
  console.log("step         Cerbos calls/s  p50       p99       | Authz calls/s  p50       p99       | health calls/s  +key calls/s | " +
    "Authz/Cerbos calls/s  p99 Authz/Cerbos | Authz/health  Authz/(health+key) | Cerbos µs CPU/call  Authz µs CPU/call  health µs CPU/call  health/Authz CPU");
  for (const label of labels) {
    const perRound = Array.from({ length: rounds }, (_, i) => {
      // Results of one Cerbos run (before Cerbos ran in rounds) stand for every round.
      const c = figures(row(cerbos.length === 1 ? cerbos[0] : cerbos[i], label)), a = figures(row(authz[i], label)), h = figures(row(health[i], label)), k = figures(row(healthKey[i], label));
      const ratios = { peer: ratio(a?.calls, c?.calls), p99: ratio(a?.p99, c?.p99), floor: ratio(a?.calls, h?.calls), keyFloor: ratio(a?.calls, k?.calls), cpuFloor: ratio(h?.cpu, a?.cpu) };
      return { c, a, h, k, ratios };
    });
    if (rounds <= 1) {
      const { c, a, h, k, ratios } = perRound[0] ?? { ratios: {} };
      print(label, c, a, h, k, ratios);
      continue;
    }
    perRound.forEach(({ c, a, h, k, ratios }, i) => print(`${label} r${i + 1}`, c, a, h, k, ratios));
    const mid = (pick) => median(perRound.map(pick));
    print(`${label} median`,
      { calls: mid((r) => r.c?.calls), p50: mid((r) => r.c?.p50), p99: mid((r) => r.c?.p99), cpu: mid((r) => r.c?.cpu) },
      { calls: mid((r) => r.a?.calls), p50: mid((r) => r.a?.p50), p99: mid((r) => r.a?.p99), cpu: mid((r) => r.a?.cpu) },
      { calls: mid((r) => r.h?.calls), cpu: mid((r) => r.h?.cpu) }, { calls: mid((r) => r.k?.calls) },
      Object.fromEntries(["peer", "p99", "floor", "keyFloor", "cpuFloor"].map((key) => [key, mid((r) => r.ratios[key])])));
  }
  console.log("goals (issue 4): Authz/Cerbos calls/s >= 6x at c=16 and c=64; p99 Authz/Cerbos <= 0.2x at c=16; Authz/health >= 0.75x");
  console.log("µs CPU/call: the server's CPU (all threads, user and system) over h2load's measured window, per call answered; " +
    "health/Authz CPU is the share of the floor's throughput that Authorize would reach if both were bound by the server's CPU alone");
  if (healthKey.length > 0)
    console.log("health: Health/Check with no headers; +key: the same call carrying the Authorize calls' authorization header " +
      "(h2load sends it as a never-indexed literal, so the server decodes it on every call, as it must for every Authorize)");
}

// ---- Commands ------------------------------------------------------------------------------------------------

try {
  switch (command) {
    case "new-key": {
    // An administrator key in the shape the server issues: AKIA + 16 base32 characters, a dot, a base64url secret.
    const { randomBytes } = await import("node:crypto");
    const base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const id = "AKIA" + [...randomBytes(16)].map((b) => base32[b % 32]).join("");
    console.log(`${id}.${randomBytes(30).toString("base64url")}`);
    break;
  }
  case "free-port": {
      const server = net.createServer();
      server.listen(0, "127.0.0.1", () => {
        console.log(server.address().port);
        server.close();
      });
      break;
    }
    case "cerbos-frame": {
      const cerbos = await cerbosMessages();
      fs.writeFileSync(args[0], frame(cerbos.request("alice", ["data-scientist"], "read")));
      break;
    }
    case "cerbos-check": {
      const [port, framePath] = args;
      const cerbos = await cerbosMessages();
      const cases = [
        ["alice (data-scientist) read", cerbos.request("alice", ["data-scientist"], "read"), "read", "EFFECT_ALLOW"],
        ["alice (data-scientist) delete", cerbos.request("alice", ["data-scientist"], "delete"), "delete", "EFFECT_DENY"],
        ["bob (admin) delete", cerbos.request("bob", ["admin"], "delete"), "delete", "EFFECT_ALLOW"],
      ];
      for (const [name, message, action, expected] of cases) {
        const answer = await callWhenUp(Number(port), CERBOS_PATH, frame(message));
        if (answer.grpcStatus !== 0) fail(`Cerbos CheckResources (${name}) answered gRPC status ${answer.grpcStatus}: ${answer.grpcMessage}`);
        const effect = cerbos.effect(answer.message, action);
        if (effect !== expected) fail(`Cerbos: ${name}: expected ${expected}, got ${effect}`);
        console.log(`  cerbos: ${name} -> ${effect}`);
      }
      const answer = await call(Number(port), CERBOS_PATH, fs.readFileSync(framePath));
      const effect = answer.grpcStatus === 0 ? cerbos.effect(answer.message, "read") : `gRPC status ${answer.grpcStatus}`;
      if (effect !== "EFFECT_ALLOW") fail(`Cerbos: the benchmark frame ${framePath} was answered ${effect}, expected EFFECT_ALLOW`);
      console.log(`  cerbos: benchmark frame (${fs.statSync(framePath).size} bytes) -> ${effect}`);
      break;
    }
    case "authz-seed":
      await authzSeed(Number(args[0]), args[1]);
      break;
    case "authz-frame": {
      const root = await authzRoot(args[1]);
      const type = root.lookupType("authz.v1.AuthorizeRequest");
      const request = authorizeRequest(`arn:aws:iam::${TENANT}:user/alice`, "s3:GetObject", `arn:aws:s3:::${OBJECT}`);
      fs.writeFileSync(args[0], frame(type.encode(type.fromObject(request)).finish()));
      break;
    }
    case "authz-check": {
      const [port, framePath, protos] = args;
      const root = await authzRoot(protos);
      const cases = [
        ["alice (data-scientists) s3:GetObject", authorizeRequest(`arn:aws:iam::${TENANT}:user/alice`, "s3:GetObject", `arn:aws:s3:::${OBJECT}`), "ALLOW"],
        ["alice (data-scientists) s3:DeleteObject", authorizeRequest(`arn:aws:iam::${TENANT}:user/alice`, "s3:DeleteObject", `arn:aws:s3:::${OBJECT}`), "EXPLICIT_DENY"],
        ["bob (admin) s3:DeleteObject", authorizeRequest(`arn:aws:iam::${TENANT}:user/bob`, "s3:DeleteObject", `arn:aws:s3:::${OBJECT}`), "ALLOW"],
      ];
      for (const [name, request, expected] of cases) {
        const response = await authzAuthorize(root, Number(port), request);
        if (response.decision !== expected) fail(`Authz: ${name}: expected ${expected}, got ${response.decision}${response.reason ? ` (${response.reason})` : ""}`);
        console.log(`  authz: ${name} -> ${response.decision}`);
      }
      const answer = await call(Number(port), AUTHORIZE_PATH, fs.readFileSync(framePath));
      if (answer.grpcStatus !== 0) fail(`Authz: the benchmark frame was answered gRPC status ${answer.grpcStatus}: ${answer.grpcMessage}`);
      const res = root.lookupType("authz.v1.AuthorizeResponse");
      const decision = res.toObject(res.decode(answer.message), { enums: String }).decision;
      if (decision !== "ALLOW") fail(`Authz: the benchmark frame ${framePath} was answered ${decision}, expected ALLOW`);
      console.log(`  authz: benchmark frame (${fs.statSync(framePath).size} bytes) -> ${decision}`);
      break;
    }
    case "health-frame":
      // HealthCheckRequest { service = "" } encodes to zero bytes.
      fs.writeFileSync(args[0], frame(Buffer.alloc(0)));
      break;
    case "health-check": {
      const [port, framePath] = args;
      const answer = await callWhenUp(Number(port), HEALTH_PATH, fs.readFileSync(framePath), 120);
      // HealthCheckResponse { status = SERVING (1) } is the two bytes 08 01.
      if (answer.grpcStatus !== 0 || answer.message.toString("hex") !== "0801")
        fail(`health check answered gRPC status ${answer.grpcStatus} ${answer.grpcMessage} with message ${answer.message.toString("hex") || "(empty)"}, expected SERVING (0801)`);
      console.log("  health: Check -> SERVING");
      break;
    }
    case "h2load-results": {
      const [out, note, api, connections, warmup, duration, ...runs] = args;
      h2loadResults(out, note, api, connections, warmup, duration, runs);
      break;
    }
    case "summary":
      summary(...args);
      break;
    default:
      fail(`unknown command \`${command ?? ""}\`; see the header of ${path.basename(process.argv[1])}`);
  }
} catch (e) {
  fail(e?.message ?? String(e));
}
