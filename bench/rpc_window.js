// rpc_window.js: what a browser extension made for aria2 does, with the npm
// "aria2" client (4.1.2, as downloader/rpc/testdata/conformance pins it):
// connect over WebSocket to ws://127.0.0.1:PORT/jsonrpc with the secret,
// aria2.addUri one link, and wait for aria2.onDownloadComplete of its gid.
// Prints the gid and the final tellStatus as one JSON line; exits 1 on an
// error or after 60 s. bench/rpc_window.sh runs it against the window.
//
//   NODE_PATH=node_modules node rpc_window.js '{"port":6800,"secret":"S","uri":"http://…"}'
"use strict";

const Aria2 = require("aria2");

const cfg = JSON.parse(process.argv[2]);
const aria2 = new Aria2({ host: "127.0.0.1", port: cfg.port, secure: false, secret: cfg.secret, path: "/jsonrpc" });

async function main() {
  await aria2.open(); // the WebSocket: calls and notifications go over it from now on
  const done = new Map(); // gid -> the notification's name
  for (const n of ["onDownloadComplete", "onDownloadError"]) {
    aria2.on(n, ([ev]) => done.set(ev.gid, n));
  }
  const version = await aria2.call("getVersion");
  const gid = await aria2.call("addUri", [cfg.uri], {});
  const end = Date.now() + 60000;
  while (!done.has(gid)) {
    if (Date.now() > end) throw new Error("no aria2.onDownloadComplete for " + gid + " in 60 s");
    await new Promise((r) => setTimeout(r, 20));
  }
  const st = await aria2.call("tellStatus", gid, ["status", "completedLength", "totalLength", "files"]);
  console.log(JSON.stringify({ version: version.version, gid, notified: done.get(gid), status: st.status,
    completedLength: st.completedLength, path: st.files[0].path }));
  await aria2.close();
  if (done.get(gid) !== "onDownloadComplete") process.exit(1);
}

main().catch((e) => {
  console.error("rpc_window.js: " + (e && e.stack ? e.stack : JSON.stringify(e)));
  process.exit(1);
});
