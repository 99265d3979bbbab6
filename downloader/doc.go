// Package downloader is Potok's download engine: many files at once, each in its
// own goroutine, admitted by a semaphore whose size can change while downloads
// run. Transfers go through github.com/cavaliergopher/grab/v3 into "<name>.part"
// files that are renamed only when complete and verified.
//
// The engine owns all state. Callers never get callbacks per chunk: they poll
// [Engine.Snapshot] and [Engine.Events] at whatever rate suits them (a window at
// 5–10 Hz, a terminal at 10 Hz) and send commands as plain method calls
// ([Engine.Pause], [Engine.SetLimit], ...). This keeps a slow consumer from
// slowing the transfers down, and a fast transfer from flooding a consumer.
//
// Rules the engine keeps:
//   - a partial file is kept as .part and resumed with a Range request; a server
//     that ignores Range (answers 200) makes the file start over, never append;
//   - a finished file is never overwritten: a new name "name (1).ext" is chosen;
//   - files are written only inside the chosen folder, whatever the server says;
//   - a body shorter than its Content-Length is a failure, never "complete".
package downloader
