package downloader

import (
	"context"
	"math"
	"sync/atomic"

	"golang.org/x/time/rate"
)

// byteRate is the engine-wide speed limit, shared by every transfer through
// grab's RateLimiter hook. It can be changed while transfers run.
type byteRate struct {
	on  atomic.Bool // fast path: no lock per chunk when unlimited
	lim *rate.Limiter
}

func newByteRate(bytesPerSec int64) *byteRate {
	r := &byteRate{lim: rate.NewLimiter(rate.Inf, 1)}
	r.Set(bytesPerSec)
	return r
}

// Set changes the limit; 0 or less means unlimited.
func (r *byteRate) Set(bytesPerSec int64) {
	if bytesPerSec <= 0 {
		r.on.Store(false)
		r.lim.SetLimit(rate.Inf)
		return
	}
	// A burst of a tenth of a second keeps the rate smooth; at least 4 KiB so
	// tiny limits still make progress in whole pieces.
	burst := int(min(max(bytesPerSec/10, 4<<10), math.MaxInt32))
	r.lim.SetBurst(burst)
	r.lim.SetLimit(rate.Limit(bytesPerSec))
	r.on.Store(true)
}

// Get returns the limit in bytes per second, 0 when unlimited.
func (r *byteRate) Get() int64 {
	if !r.on.Load() {
		return 0
	}
	return int64(r.lim.Limit())
}

// WaitN blocks until n bytes may pass. rate.Limiter refuses n above its burst,
// so a chunk larger than the burst is paid for in burst-sized parts.
func (r *byteRate) WaitN(ctx context.Context, n int) error {
	for n > 0 && r.on.Load() {
		k := min(n, r.lim.Burst())
		if err := r.lim.WaitN(ctx, k); err != nil {
			return err
		}
		n -= k
	}
	return nil
}
