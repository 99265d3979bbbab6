package lesson

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// WorkerCommand is the first argument that makes the program a child of
// processes mode: `potok _worker pi` reads its share of π on stdin and writes
// its parts on stdout. Hidden from the usage text: only Potok starts it.
const WorkerCommand = "_worker"

// The jobs a child can be started for (the argument after WorkerCommand).
const (
	jobNothing = "nothing" // read the request, answer at once: what starting a child costs
	jobPi      = "pi"
	jobRegress = "regress"
	jobGet     = "get"
)

// A message is what goes between the parent and a child, each way: one line
// of JSON (the job's header), then the number of vectors as a little-endian
// uint32, then each vector as its length (uint64) and its float64s, little
// endian, bit for bit. Data sets and predictions go as vectors: no decimal
// rounding, and 8 bytes a number.

// maxVector bounds a vector's length when reading, so a broken stream
// cannot make a child allocate without end (2^28 floats: 2 GiB).
const maxVector = 1 << 28

// writeMessage writes header and vecs to w.
func writeMessage(w io.Writer, header any, vecs ...[]float64) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := json.NewEncoder(bw).Encode(header); err != nil {
		return fmt.Errorf("encode the message: %w", err)
	}
	if err := writeVectors(bw, vecs); err != nil {
		return err
	}
	return bw.Flush()
}

// writeVectors writes the vector part of a message.
func writeVectors(w io.Writer, vecs [][]float64) error {
	var b [8]byte
	binary.LittleEndian.PutUint32(b[:4], uint32(len(vecs)))
	if _, err := w.Write(b[:4]); err != nil {
		return err
	}
	buf := make([]byte, 0, 64<<10)
	for _, v := range vecs {
		binary.LittleEndian.PutUint64(b[:], uint64(len(v)))
		if _, err := w.Write(b[:]); err != nil {
			return err
		}
		for _, x := range v {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
			if len(buf) == cap(buf) {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		buf = buf[:0]
	}
	return nil
}

// readMessage reads a message from r into header and returns its vectors.
func readMessage(r io.Reader, header any) ([][]float64, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	line, err := br.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("read the message's header: %w", err)
	}
	if err := json.Unmarshal(line, header); err != nil {
		return nil, fmt.Errorf("read the message's header: %w", err)
	}
	var b [8]byte
	if _, err := io.ReadFull(br, b[:4]); err != nil {
		return nil, fmt.Errorf("read the message's vectors: %w", err)
	}
	vecs := make([][]float64, binary.LittleEndian.Uint32(b[:4]))
	raw := make([]byte, 64<<10)
	for i := range vecs {
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return nil, fmt.Errorf("read vector %d: %w", i, err)
		}
		n := binary.LittleEndian.Uint64(b[:])
		if n > maxVector {
			return nil, fmt.Errorf("vector %d claims %d numbers", i, n)
		}
		v := make([]float64, n)
		for k := 0; k < len(v); {
			chunk := raw[:min(len(raw), 8*(len(v)-k))]
			if _, err := io.ReadFull(br, chunk); err != nil {
				return nil, fmt.Errorf("read vector %d: %w", i, err)
			}
			for off := 0; off < len(chunk); off += 8 {
				v[k] = math.Float64frombits(binary.LittleEndian.Uint64(chunk[off:]))
				k++
			}
		}
		vecs[i] = v
	}
	return vecs, nil
}

// ServeWorker is a child of processes mode: args[0] names the job, the
// request comes on stdin and the answer goes to stdout. It returns the exit
// code: 0 done, 1 failed (said on stderr), 2 an unknown job.
func ServeWorker(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintf(stderr, "potok %s: which job? (%s, %s, %s or %s)\n", WorkerCommand, jobPi, jobRegress, jobGet, jobNothing)
		return 2
	}
	var err error
	switch args[0] {
	case jobNothing:
		var req struct{}
		if _, err = readMessage(stdin, &req); err == nil {
			err = writeMessage(stdout, req)
		}
	case jobPi:
		err = servePi(ctx, stdin, stdout)
	case jobRegress:
		err = serveRegress(ctx, stdin, stdout)
	case jobGet:
		err = serveGet(ctx, stdin, stdout)
	default:
		fmt.Fprintf(stderr, "potok %s: unknown job %q\n", WorkerCommand, args[0])
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "potok %s %s: %v\n", WorkerCommand, args[0], err)
		return 1
	}
	return 0
}

// ServeIfWorker makes the process a child of processes mode, and exits,
// when it was started as one (WorkerCommand as its first argument); it
// returns otherwise. A test binary that runs processes mode calls it first
// thing in its TestMain, since the children it starts are itself.
func ServeIfWorker() {
	if len(os.Args) > 1 && os.Args[1] == WorkerCommand {
		os.Exit(ServeWorker(context.Background(), os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
	}
}

// child is one child process's share of a job: its request, the vectors
// that go after it (often the same bytes for every child, encoded once),
// and, once it answered, its answer's vectors.
type child struct {
	header  any
	vectors []byte // encoded by encodeVectors
	answer  any    // decoded into
	got     [][]float64
}

// encodeVectors encodes vecs once for the children that all get them.
func encodeVectors(vecs ...[]float64) ([]byte, error) {
	var b bytes.Buffer
	if err := writeVectors(&b, vecs); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// noVectors is the vector part of a message without vectors.
var noVectors = []byte{0, 0, 0, 0}

// workerWait is how long a child that was killed (its run cancelled) may
// keep its output open before Wait gives up on it.
const workerWait = 2 * time.Second

// runChildren starts a child process of this program for each share of job
// at once, sends each its request, and waits for every answer. A child that
// fails is an error with its stderr, and kills the others; so does ctx.
func runChildren(ctx context.Context, job string, shares []*child) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find this program to start its workers: %w", err)
	}
	g, ctx := errgroup.WithContext(ctx)
	for k, c := range shares {
		g.Go(func() error {
			if err := c.run(ctx, exe, job); err != nil {
				return fmt.Errorf("worker process %d of %d (%s): %w", k+1, len(shares), job, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// run starts the child, feeds it and reads its answer.
func (c *child) run(ctx context.Context, exe, job string) error {
	var head bytes.Buffer
	if err := json.NewEncoder(&head).Encode(c.header); err != nil {
		return fmt.Errorf("encode the request: %w", err)
	}
	vecs := c.vectors
	if vecs == nil {
		vecs = noVectors
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, exe, WorkerCommand, job)
	cmd.Stdin = io.MultiReader(&head, bytes.NewReader(vecs))
	cmd.Stdout = &stdout
	cmd.Stderr = &limitedBuffer{max: 8 << 10, b: &stderr}
	cmd.WaitDelay = workerWait
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if msg := childWords(stderr.String()); msg != "" {
			return fmt.Errorf("%w: %s", err, msg)
		}
		return err
	}
	got, err := readMessage(&stdout, c.answer)
	if err != nil {
		return fmt.Errorf("its answer: %w", err)
	}
	c.got = got
	return nil
}

// childWords is what a failed child said on stderr: its own lines (those
// ServeWorker writes, "potok _worker JOB: …") when there are any, so that what
// the program prints at start (Fyne's note on the C locale, say) is left out;
// all of it otherwise (a panic, a runtime error).
func childWords(stderr string) string {
	var own []string
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "potok "+WorkerCommand) {
			own = append(own, line)
		}
	}
	if len(own) > 0 {
		return strings.Join(own, "; ")
	}
	return strings.TrimSpace(stderr)
}

// limitedBuffer keeps the first max bytes written to it: a child's stderr,
// for the error message.
type limitedBuffer struct {
	max int
	b   *bytes.Buffer
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// shareRange is share k of n items split into parts nearly equal
// contiguous shares, the longer ones first.
func shareRange(n, parts, k int) (lo, hi int) {
	return n * k / parts, n * (k + 1) / parts
}

// errNoWork is a child's request with nothing in it.
var errNoWork = errors.New("the request holds no work")

// StartCost is what starting workers child processes that do nothing, and
// waiting for their answers, takes: the price processes mode pays on every
// run before any work.
func StartCost(ctx context.Context, workers int) (time.Duration, error) {
	shares := make([]*child, workers)
	for k := range shares {
		shares[k] = &child{header: struct{}{}, answer: &struct{}{}}
	}
	t0 := time.Now()
	err := runChildren(ctx, jobNothing, shares)
	return time.Since(t0), err
}
