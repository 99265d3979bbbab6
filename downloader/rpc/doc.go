// Package rpc answers aria2's JSON-RPC (as aria2c 1.36 does) on a Potok
// engine, so that the browser extensions and front-ends made for aria2
// (Aria2 Explorer, AriaNg, the npm "aria2" client) hand their links to
// Potok: over HTTP POST, aria2's GET form and WebSocket at /jsonrpc, with
// aria2's notifications pushed over WebSocket.
//
// A Server is an http.Handler on the engine a getter returns, so that the
// window can hand over its own engine and swap it when the user picks
// another folder. The downloads are the engine's: the ones added by RPC are
// the window's rows too, kept in the same queue file, under the same limits
// and the same rules (files only inside the folder, never overwritten).
//
// aria2's wire conventions are kept: every number is a decimal string; gids
// are 16 lowercase hex digits, random, kept per download for the server's
// life; statuses are waiting, active, paused, complete, error and removed;
// every method's error has code 1 and a sentence; "token:SECRET" comes first
// in a call's params; system.multicall answers a success as [result] and a
// failure bare. The engine never calls back, so notifications come from
// comparing snapshots taken by one poller per server (DefaultPoll) while a
// WebSocket client listens; a client too slow to take them is disconnected,
// never waited for.
//
// Where things are: server.go (HTTP, WebSocket, the poller, Listen, Serve),
// jsonrpc.go (the wire: decoding calls, errors, params), methods.go and
// adduri.go (the methods), status.go (tellStatus's fields), tracker.go
// (gids, and notifications from snapshots).
package rpc
