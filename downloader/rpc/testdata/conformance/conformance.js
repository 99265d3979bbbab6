// conformance.js drives an aria2 JSON-RPC server with the npm "aria2"
// client (4.1.2, as web front-ends use it) through one scenario, and prints
// a transcript of what the server answered and notified, as JSON on
// stdout. conformance_test.go runs it against aria2c and against Potok and
// compares the two transcripts field by field.
//
//   node conformance.js '{"port":6800,"secret":"S","files":"http://127.0.0.1:N","dir":"/abs/dir","sha256":"<hex of summed.bin>"}'
//
// The transcript is normalised so that two servers can be compared: gids
// are replaced by the names the scenario gives its downloads (also inside
// error messages), the download folder by "<dir>", the file server by
// "<files>", and speeds are dropped. Lists of downloads are sorted by
// name. Nothing else is changed: the differences allowed between aria2 and
// Potok are judged by the Go test, where each is explained.
//
// The scenario never waits for a fixed time: it waits for a notification,
// or polls a status, each with a deadline.

"use strict";

const Aria2 = require("aria2");

const cfg = JSON.parse(process.argv[2]);
const DEADLINE_MS = 20000;

const client = (secret) =>
  new Aria2({ host: "127.0.0.1", port: cfg.port, secure: false, secret, path: "/jsonrpc" });
const a = client(cfg.secret);

const nameOf = {}; // gid -> name
const gidOf = {}; // name -> gid
const notes = []; // [method, gid], in arrival order
const transcript = [];

for (const n of ["onDownloadStart", "onDownloadPause", "onDownloadStop", "onDownloadComplete", "onDownloadError"]) {
  a.on(n, (params) => notes.push([n, params && params[0] && params[0].gid]));
}

function norm(v) {
  if (typeof v === "string") {
    let s = v.split(cfg.dir).join("<dir>").split(cfg.files).join("<files>");
    for (const [gid, name] of Object.entries(nameOf)) {
      s = s.split(gid).join("<" + name + ">");
    }
    return s;
  }
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === "object") {
    const out = {};
    for (const k of Object.keys(v).sort()) {
      if (k === "downloadSpeed") continue; // a speed: never the same twice
      out[k] = norm(v[k]);
    }
    return out;
  }
  return v;
}

// byName sorts a list of downloads by the names the scenario gave them:
// the servers keep their lists in orders of their own (see the Go test).
function byName(list) {
  return list.slice().sort((x, y) => String(norm(x.gid)).localeCompare(String(norm(y.gid))));
}

async function step(name, fn) {
  try {
    transcript.push({ step: name, result: norm(await fn()) });
  } catch (e) {
    if (e && typeof e.code === "number") {
      transcript.push({ step: name, error: { code: e.code, message: norm(e.message) } });
    } else {
      throw new Error(name + ": " + (e && e.stack ? e.stack : e));
    }
  }
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

// until polls cond every 10 ms until it holds, failing after the deadline.
async function until(what, cond) {
  const end = Date.now() + DEADLINE_MS;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error("timed out waiting for " + what);
    await pause(10);
  }
}

const count = (name, method) => notes.filter(([m, g]) => m === method && g === gidOf[name]).length;
const notified = (name, method, n = 1) => until(name + " " + method + " x" + n, () => count(name, method) >= n);
const statusIs = (name, st) =>
  until(name + " " + st, async () => (await a.call("tellStatus", gidOf[name], ["status"])).status === st);

async function add(name, uris, options) {
  const args = options ? [uris, options] : [uris];
  const gid = await a.call("addUri", ...args);
  nameOf[gid] = name;
  gidOf[name] = gid;
  transcript.push({ step: "addUri " + name, result: /^[0-9a-f]{16}$/.test(gid) ? "<gid>" : gid });
}

function pick(obj, keys) {
  const out = {};
  for (const k of keys) if (k in obj) out[k] = obj[k];
  return out;
}

async function main() {
  await a.open();
  const f = cfg.files;

  await step("getVersion", () => a.call("getVersion"));
  await step("listNotifications", () => a.listNotifications());
  await step("listMethods", () => a.listMethods());
  // Over HTTP (the WebSocket is the other client's), ids from 0.
  await step("getVersion with a wrong secret", () => client("wrong").call("getVersion"));
  await step("tellActive without a secret", () => client("").call("tellActive"));

  await step("changeGlobalOption", () =>
    a.call("changeGlobalOption", { "max-concurrent-downloads": "2", "max-overall-download-limit": "1M" }));
  await step("getGlobalOption", async () =>
    pick(await a.call("getGlobalOption"), ["dir", "max-concurrent-downloads", "max-overall-download-limit"]));
  await step("changeGlobalOption to 0 at once", () => a.call("changeGlobalOption", { "max-concurrent-downloads": "0" }));
  await step("changeGlobalOption no limit", () => a.call("changeGlobalOption", { "max-overall-download-limit": "0" }));

  // Downloads that end at once.
  await add("small", [f + "/f/small.bin?size=1000"]);
  await add("named", [f + "/f/orig.bin?size=3000"], {
    out: "renamed.bin",
    dir: cfg.dir + "/sub",
    header: ["X-Potok-Test: yes"],
    referer: "http://127.0.0.1/ref",
    "user-agent": "conformance/1",
  });
  await add("summed", [f + "/f/summed.bin?size=2000"], { checksum: "sha-256=" + cfg.sha256 });
  await add("badsum", [f + "/f/badsum.bin?size=2000"], { checksum: "sha-256=" + "0".repeat(64) });
  await add("missing", [f + "/nothing/missing.bin"]);
  for (const n of ["small", "named", "summed"]) await notified(n, "onDownloadComplete");
  for (const n of ["badsum", "missing"]) await notified(n, "onDownloadError");

  await step("tellStatus small", () => a.call("tellStatus", gidOf.small));
  await step("tellStatus named", () =>
    a.call("tellStatus", gidOf.named, ["gid", "status", "dir", "files", "totalLength", "completedLength"]));
  await step("tellStatus summed", () => a.call("tellStatus", gidOf.summed, ["status", "errorCode", "completedLength"]));
  await step("tellStatus badsum", () => a.call("tellStatus", gidOf.badsum, ["status", "errorCode", "totalLength"]));
  await step("tellStatus missing", () => a.call("tellStatus", gidOf.missing));
  await step("getOption named", async () =>
    pick(await a.call("getOption", gidOf.named), ["dir", "out", "header", "referer", "user-agent"]));
  await step("addUri with a bad checksum option", () => a.call("addUri", [f + "/f/x.bin?size=1"], { checksum: "sha-256=zz" }));
  await step("addUri without URIs", () => a.call("addUri", []));

  // Downloads held by the file server until it is told to let them go, and
  // one that waits for a slot (two at once).
  await add("slow", [f + "/gate/slow.bin?size=200000&at=65536"]);
  await add("held", [f + "/gate/held.bin?size=200000&at=65536"]);
  await notified("slow", "onDownloadStart");
  await notified("held", "onDownloadStart");
  // aria2 tells of a start before the server has answered: wait for the
  // answer (the length), which Potok may already have.
  for (const n of ["slow", "held"]) {
    await until(n + " length", async () => (await a.call("tellStatus", gidOf[n], ["totalLength"])).totalLength === "200000");
  }
  await add("queued", [f + "/f/queued.bin?size=1000"]);
  await step("tellActive", async () => byName(await a.call("tellActive", ["gid", "status", "totalLength"])));
  await step("tellWaiting", () => a.call("tellWaiting", 0, 10, ["gid", "status", "totalLength", "files"]));

  await step("pause queued", () => a.call("pause", gidOf.queued));
  await statusIs("queued", "paused");
  await step("pause queued again", () => a.call("pause", gidOf.queued));
  await step("pause slow", () => a.call("pause", gidOf.slow));
  await notified("slow", "onDownloadPause");
  await step("tellStatus slow paused", () => a.call("tellStatus", gidOf.slow, ["status", "totalLength", "connections", "errorCode"]));
  await step("tellWaiting after pauses", async () => byName(await a.call("tellWaiting", 0, 10, ["gid", "status"])));
  await step("tellWaiting from the end", async () => (await a.call("tellWaiting", -1, 1, ["status"])).length);
  await step("unpause slow", () => a.call("unpause", gidOf.slow));
  await notified("slow", "onDownloadStart", 2);
  await step("unpause slow again", () => a.call("unpause", gidOf.slow));
  await step("remove held", () => a.call("remove", gidOf.held));
  await notified("held", "onDownloadStop");
  await step("tellStatus held", () =>
    a.call("tellStatus", gidOf.held, ["status", "errorCode", "totalLength", "completedLength"]));
  await step("remove small", () => a.call("remove", gidOf.small));
  await step("tellStatus unknown gid", () => a.call("tellStatus", "0123456789abcdef"));
  await step("tellStatus bad gid", () => a.call("tellStatus", "zz"));
  await step("tellStatus without a gid", () => a.call("tellStatus"));
  await step("multicall", () =>
    a.multicall([
      ["tellStatus", gidOf.small, ["status", "totalLength"]],
      ["tellStatus", "ffffffffffffffff"],
      ["getGlobalOption"],
    ]).then((r) => r.map((x) => (Array.isArray(x) && x[0] && x[0].dir ? [pick(x[0], ["dir"])] : x))));
  await step("batch", async () => {
    const ps = await a.batch([["tellStatus", gidOf.small, ["gid"]], ["tellStatus", "zz"]]);
    return Promise.all(ps.map((p) => p.then((r) => ({ result: r }), (e) => ({ error: { code: e.code, message: e.message } }))));
  });
  await step("GET form", async () => {
    const p = Buffer.from(JSON.stringify(["token:" + cfg.secret, gidOf.small, ["status"]])).toString("base64");
    const r = await fetch(`http://127.0.0.1:${cfg.port}/jsonrpc?method=aria2.tellStatus&id=q&params=${encodeURIComponent(p)}`);
    return { http: r.status, body: await r.json() };
  });

  await fetch(f + "/open/slow.bin");
  await notified("slow", "onDownloadComplete");
  await step("tellStatus slow", () => a.call("tellStatus", gidOf.slow));
  await step("unpause queued", () => a.call("unpause", gidOf.queued));
  await notified("queued", "onDownloadComplete");
  await step("tellStopped", async () =>
    byName(await a.call("tellStopped", 0, 100, ["gid", "status", "errorCode", "totalLength", "completedLength"])));
  await step("getGlobalStat", () => a.call("getGlobalStat"));
  await step("removeDownloadResult small", () => a.call("removeDownloadResult", gidOf.small));
  await step("tellStatus small after removeDownloadResult", () => a.call("tellStatus", gidOf.small, ["status"]));
  await step("purgeDownloadResult", () => a.call("purgeDownloadResult"));
  await step("tellStopped after purge", () => a.call("tellStopped", 0, 100));
  await step("getGlobalStat after purge", () => a.call("getGlobalStat"));

  const perName = {};
  for (const [m, gid] of notes) {
    const name = nameOf[gid] || "unknown";
    (perName[name] = perName[name] || []).push(m);
  }
  transcript.push({ step: "notifications", result: perName });
  await a.close();
  process.stdout.write(JSON.stringify(transcript, null, 1) + "\n");
}

main().catch((e) => {
  process.stderr.write("conformance: " + (e && e.stack ? e.stack : e) + "\n");
  process.stderr.write("transcript so far: " + JSON.stringify(transcript) + "\n");
  process.exit(1);
});
