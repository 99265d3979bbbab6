package gui

import "sync"

// inbox holds what other goroutines hand the window between two ticks:
// another potok command's links (a handoff), the options an RPC client
// changed, the RPC server's status. The ticker takes it all at once and
// applies it in one fyne.Do (mainWindow.tickWindow), never one per event.
type inbox struct {
	mu       sync.Mutex
	handoffs [][]string
	options  map[string]string // the last value of each option changed
	status   *rpcStatus        // the RPC server's latest
}

// mail is what the inbox held at one tick.
type mail struct {
	handoffs [][]string
	options  map[string]string
	status   *rpcStatus
}

// handoff is the window's take for another potok command's args: URLs,
// and list files by absolute path. Any goroutine may call it.
func (b *inbox) handoff(args []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.handoffs = append(b.handoffs, append([]string(nil), args...))
}

// option is the RPC server's OnChange.
func (b *inbox) option(key, value string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.options == nil {
		b.options = map[string]string{}
	}
	b.options[key] = value
}

// rpcStatus is the RPC runner's report.
func (b *inbox) rpcStatus(st rpcStatus) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.status = &st
}

// waiting reports whether anything waits to be taken.
func (b *inbox) waiting() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.handoffs) > 0 || len(b.options) > 0 || b.status != nil
}

// take empties the inbox.
func (b *inbox) take() mail {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := mail{handoffs: b.handoffs, options: b.options, status: b.status}
	b.handoffs, b.options, b.status = nil, nil, nil
	return m
}
