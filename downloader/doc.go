// Package downloader is Potok's download engine: many files at once, each in its
// own goroutine, admitted by a semaphore whose size can change while downloads
// run. Transfers go through github.com/cavaliergopher/grab/v3 into "<name>.part"
// files that are renamed only when complete and verified; large files from
// servers that take ranges come over several connections at once.
//
// # The contract
//
//   - [New] makes an [Engine] for one folder from [Options]; [ParseList] and
//     [ParseURL] turn user input into [Entry] values, reporting bad lines as
//     [LineError]s.
//   - [Engine.Add] starts downloads; commands are plain method calls
//     ([Engine.Pause], [Engine.Resume], [Engine.Cancel], [Engine.Retry], their
//     …All forms, [Engine.SetLimit], [Engine.SetPerHost], [Engine.SetRateLimit],
//     [Engine.SetConnections]); [Engine.Close] stops and keeps every .part.
//   - The engine owns all state. Callers never get callbacks per chunk: they
//     poll [Engine.Snapshot] ([Snapshot], [FileStatus], [Totals]) and
//     [Engine.Events] ([Event]) at whatever rate suits them (a window at 5–10
//     Hz, a terminal at 10 Hz), or block in [Engine.Wait]. A slow consumer
//     never slows the transfers, and a fast transfer never floods a consumer.
//   - Errors callers test with errors.Is and errors.As are in errors.go;
//     what each failure means to a person is FileStatus.Err, already worded.
//   - [Sweep] runs the same list at several worker counts, for the speedup
//     charts.
//
// # Rules the engine keeps
//
//   - a partial file is kept as .part and resumed with one ranged GET; what it
//     is a copy of (ETag, Last-Modified, size) is on disk before its first
//     byte, so a server whose file changed, or that ignores Range, makes the
//     file start over, never append or stitch two versions;
//   - a finished file is never overwritten: a new name "name (1).ext" is chosen;
//   - files are written only inside the chosen folder, whatever the server says;
//   - a body shorter than its Content-Length is a failure, never "complete";
//   - no password of a URL and no raw control character reaches a message or
//     a log line.
//
// # Where things are
//
// engine.go (the Engine and each download's goroutine), commands.go, admit.go
// (slots), transfer.go (one attempt through grab), rangeanswer.go (the one
// judgement of an answer to a Range request), segment*.go (files in
// segments), retrypolicy.go (the one retry policy), persist.go (the queue
// file), words.go and shown.go (what is shown to people). Self-contained parts
// are in internal/: limiter (the resizable semaphore), safefs (names, .part
// files, no-replace rename, preallocation), queuefile (the folder's queue,
// its journal and lock), checkedfile (the checksummed frame of Potok's own
// files). The demoserver package is the hostile, shaped loopback server the
// tests, the demo and the benchmarks use.
package downloader
