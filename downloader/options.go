package downloader

import (
	"context"
	"crypto/x509"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Options configure an Engine. The zero value of each field picks the default
// named beside it.
type Options struct {
	Dir      string // folder for the files; created if missing (required)
	Parallel int    // downloads at once; default 8; SetLimit changes it later
	PerHost  int    // downloads at once to one host; 0 = no cap of its own
	// Retries is how many attempts in a row may fail without bringing a new
	// byte before a file fails; an attempt that brought bytes does not
	// count. Default 5; negative = none (one attempt only).
	Retries   int
	ChunkSize int   // bytes per read and write; 0 = adaptive (32 KiB, 1 MiB for files of 16 MiB or more)
	RateLimit int64 // bytes per second for all transfers together; 0 = unlimited

	// Connections is how many connections one file may use (1–32, default
	// 8; SetConnections changes it later). A file of SegmentThreshold bytes
	// or more, from a server that accepts ranges, is fetched in segments
	// over that many connections, each also taking a slot of Parallel and
	// PerHost. 1 keeps every file on one connection.
	Connections      int
	SegmentThreshold int64 // smallest file fetched in segments; default 16 MiB

	// StallTimeout fails an attempt when the server sends no body byte for
	// this long while Potok waits for one (time spent writing or holding
	// back for RateLimit does not count); default 30 s.
	StallTimeout time.Duration
	DialTimeout  time.Duration // default 15 s
	TLSTimeout   time.Duration // default 15 s, or StallTimeout when that is shorter
	// HeaderTimeout is the wait for response headers once a request is
	// sent; default StallTimeout.
	HeaderTimeout time.Duration

	// What every request carries. Header goes with each (an Entry's own on
	// top of it); a Cookie or Authorization in it, like CookieFile's cookies
	// and NetrcFile's logins, goes only to the origin of a download's URL,
	// never on after a redirect elsewhere.
	Header     http.Header
	Referer    string
	CookieFile string // a Netscape cookies.txt (browser exports, curl -c, wget, aria2)
	NetrcFile  string // a .netrc: HTTP Basic logins per server

	// Proxy is the proxy for every request: "" for the environment's
	// (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY), ProxyDirect for none,
	// or a URL: http://, https://, socks5:// or socks5h://, with
	// user:password@ when the proxy wants them. NoProxy lists the hosts
	// (and .domains) reached directly when Proxy is a URL, as NO_PROXY does.
	Proxy   string
	NoProxy string

	// RootCAs are the certificate authorities HTTPS servers are checked
	// against; nil means the system's (and SSL_CERT_FILE's). CACertFile adds
	// the PEM certificates of a file to them, as curl's --cacert does.
	// Insecure checks no certificate at all: never the default.
	RootCAs    *x509.CertPool
	CACertFile string
	Insecure   bool

	// dial replaces the dialer, for tests that give a test host a name.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)

	BackoffBase   time.Duration // first retry delay; default 1 s, doubled each time
	BackoffMax    time.Duration // longest retry delay; default 30 s
	MaxRetryAfter time.Duration // a longer Retry-After fails the file instead; default 5 min
	// GiveUpAfter fails a file that is still failing this long after its
	// first failure in a run, even if its attempts keep bringing bytes;
	// default 6 h; negative = never.
	GiveUpAfter time.Duration

	// QueueFile keeps the list of downloads and their states in this file
	// (see DefaultQueueFile), so that Restore or a new Add of the same URLs
	// continues them after a restart or a crash; "" keeps nothing.
	QueueFile string

	// GIL, when set, is held by a transfer from the moment a read of the
	// body returns to the next read: whatever Potok does with the bytes
	// (write, hash, count) happens holding it, while the waits for the
	// network happen without it, as CPython's threads hold their global
	// interpreter lock except around blocking I/O. For the lesson's "gil"
	// mode, which shows that downloads still scale under such a lock.
	GIL sync.Locker

	HTTPClient *http.Client // replaces the tuned client (its timeouts then apply)
	UserAgent  string       // default "potok"
	Logger     *slog.Logger // default slog.Default()
	EventLog   int          // events kept for Events; default 4096
}

// Adaptive chunk sizes. grab allocates one buffer per transfer, so a large
// buffer for every file would cost its zeroing and memory thousands of times
// over on lists of small files; one large file, though, moves 20× fewer
// syscalls with 1 MiB chunks than with 32 KiB ones (measured: README).
const (
	smallChunk = 32 << 10
	bigChunk   = 1 << 20
	bigFile    = 16 << 20
)

func (o Options) withDefaults() Options {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.Parallel <= 0 {
		o.Parallel = 8
	}
	o.Connections = clampConnections(o.Connections)
	if o.SegmentThreshold <= 0 {
		o.SegmentThreshold = DefaultSegmentThreshold
	}
	if o.Retries == 0 {
		o.Retries = 5
	} else if o.Retries < 0 {
		o.Retries = 0
	}
	def(&o.StallTimeout, DefaultStallTimeout)
	def(&o.DialTimeout, defaultDialTimeout)
	// A handshake is the server's silence too: a short stall timeout
	// shortens it.
	def(&o.TLSTimeout, min(defaultTLSTimeout, o.StallTimeout))
	def(&o.HeaderTimeout, o.StallTimeout)
	def(&o.BackoffBase, time.Second)
	def(&o.BackoffMax, 30*time.Second)
	def(&o.MaxRetryAfter, 5*time.Minute)
	if o.GiveUpAfter == 0 {
		o.GiveUpAfter = 6 * time.Hour
	}
	if o.UserAgent == "" {
		o.UserAgent = "potok"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.EventLog <= 0 {
		o.EventLog = 4096
	}
	return o
}
