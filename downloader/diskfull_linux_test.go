package downloader_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

const (
	// tmpfsChildEnv names the test a re-executed test binary runs inside its
	// own user and mount namespace, where it may mount a tmpfs without root.
	tmpfsChildEnv = "POTOK_TEST_TMPFS_CHILD"
	// tmpfsUserNSEnv=1 takes the namespace way even as root, to test it.
	tmpfsUserNSEnv = "POTOK_TEST_TMPFS_USERNS"
)

// onTmpfs runs fn on a fresh tmpfs of the given size (like "2m"), a small disk
// that really fills up. As root it mounts one and unmounts it when the test
// ends. Otherwise it runs this test again in a child process that has its own
// user and mount namespaces, where mounting a tmpfs needs no privilege; the
// mount dies with the child. Only when neither works is the test skipped.
func onTmpfs(t *testing.T, size string, fn func(t *testing.T, mnt string)) {
	t.Helper()
	mount := func() (string, error) {
		mnt := t.TempDir()
		if err := syscall.Mount("tmpfs", mnt, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "size="+size); err != nil {
			return "", fmt.Errorf("mount a %s tmpfs: %w", size, err)
		}
		// Registered after TempDir's cleanup, so it runs before it.
		t.Cleanup(func() {
			if err := syscall.Unmount(mnt, syscall.MNT_DETACH); err != nil {
				t.Errorf("unmount %s: %v", mnt, err)
			}
		})
		return mnt, nil
	}
	if os.Getenv(tmpfsChildEnv) == t.Name() {
		mnt, err := mount()
		if err != nil {
			t.Skipf("in a user namespace: %v", err)
		}
		fn(t, mnt)
		return
	}
	var rootErr error
	if os.Geteuid() == 0 && os.Getenv(tmpfsUserNSEnv) != "1" {
		mnt, err := mount()
		if err == nil {
			fn(t, mnt)
			return
		}
		rootErr = err
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.v", "-test.count=1", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), tmpfsChildEnv+"="+t.Name())
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Skipf("no small disk to fill: not root or mount refused (%v), and no user namespace: %v", rootErr, err)
	}
	err := cmd.Wait()
	switch {
	case err != nil:
		t.Fatalf("in a user and mount namespace: %v\n%s", err, out.Bytes())
	case bytes.Contains(out.Bytes(), []byte("--- SKIP: "+t.Name())):
		t.Skipf("skipped in a user and mount namespace:\n%s", out.Bytes())
	case !bytes.Contains(out.Bytes(), []byte("--- PASS: "+t.Name())):
		t.Fatalf("the child did not run the test:\n%s", out.Bytes())
	}
	t.Logf("ran in a user and mount namespace:\n%s", out.Bytes())
}

// Case 7: downloads that do not fit on the disk fail at once with words that
// say what to do, keep their .part, and finish with RetryFailed once space is
// freed, resuming where they stopped; the files that fit are byte-exact.
func TestDiskFull(t *testing.T) {
	onTmpfs(t, "2m", func(t *testing.T, mnt string) {
		s := newServer(t)
		f := newFenceIn(t, mnt)
		// Leaves about 1.4 MB for 1.7 MB of downloads: any two fit, not three.
		ballast := f.file(filepath.Join(mnt, "ballast"), strings.Repeat("b", 640<<10))
		sizes := map[string]int64{"a.bin": 400_000, "b.bin": 400_000, "c.bin": 900_000}
		names := []string{"a.bin", "b.bin", "c.bin"}
		e := f.engine(downloader.Options{Parallel: 3})
		var urls []string
		for _, n := range names {
			urls = append(urls, s.FileURL(n, sizes[n]))
		}
		ids := add(t, e, urls...)
		wait(t, e)

		kept := map[string]int64{} // .part sizes of the files that failed
		var left []string          // what the folder holds now
		for i, n := range names {
			st := status(t, e, ids[i])
			switch st.State {
			case downloader.StateDone:
				checkFile(t, st.Path, n, sizes[n])
				left = append(left, n)
			case downloader.StateFailed:
				for _, w := range []string{"disk full", "free some space", "Retry", "partial file is kept"} {
					if !strings.Contains(st.Err, w) {
						t.Errorf("%s: error %q does not say %q", n, st.Err, w)
					}
				}
				if st.Attempts != 1 {
					t.Errorf("%s: a full disk was retried: %d attempts", n, st.Attempts)
				}
				part, err := os.ReadFile(st.PartPath)
				if err != nil {
					t.Fatalf("%s: the .part was not kept: %v", n, err)
				}
				if !bytes.Equal(part, dt.Content(n, int64(len(part)))) || int64(len(part)) != st.Done {
					t.Errorf("%s: .part of %d bytes (status says %d) is not the start of the file", n, len(part), st.Done)
				}
				t.Logf("%s failed with %d bytes kept: %s", n, len(part), st.Err)
				kept[n] = int64(len(part))
				left = append(left, n+".part")
			default:
				t.Fatalf("%s: %v %q", n, st.State, st.Err)
			}
		}
		if len(kept) == 0 {
			t.Fatal("1.7 MB fitted on a disk with 1.4 MB free: the test tested nothing")
		}
		for _, ev := range e.Events(0) {
			if ev.Kind == downloader.EventRetry {
				t.Errorf("retried: %v", ev)
			}
		}
		f.check(left...)

		if err := os.Remove(ballast); err != nil {
			t.Fatal(err)
		}
		delete(f.files, ballast)
		e.RetryFailed()
		snap := wait(t, e)
		if snap.Done != len(names) {
			t.Fatalf("after freeing space and RetryFailed: %+v", snap.Totals)
		}
		for i, n := range names {
			checkFile(t, status(t, e, ids[i]).Path, n, sizes[n])
		}
		for n, have := range kept {
			if have == 0 {
				continue
			}
			want, resumed := fmt.Sprintf("bytes=%d-", have), false
			for _, r := range s.Requests() {
				resumed = resumed || (r.Method == http.MethodGet && r.Path == "/f/"+n && r.Range == want)
			}
			if !resumed {
				t.Errorf("%s: not resumed from its .part of %d bytes (no GET with Range %s)", n, have, want)
			}
		}
		f.check(names...)
	})
}

// A folder on a read-only file system fails at once and says so.
func TestReadOnlyFolder(t *testing.T) {
	onTmpfs(t, "1m", func(t *testing.T, mnt string) {
		s := newServer(t)
		f := newFenceIn(t, mnt)
		if err := syscall.Mount("tmpfs", mnt, "tmpfs", syscall.MS_REMOUNT|syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV, "size=1m"); err != nil {
			t.Skipf("remount read-only: %v", err)
		}
		if err := os.WriteFile(filepath.Join(mnt, "probe"), nil, 0o644); !errors.Is(err, syscall.EROFS) {
			t.Fatalf("the remounted tmpfs is writable: %v", err)
		}
		e := f.engine(downloader.Options{})
		ids := add(t, e, s.FileURL("ro.bin", 1000))
		st := settled(t, e, ids[0], downloader.StateFailed)
		if st.Attempts != 1 || !strings.Contains(st.Err, "read-only") || !strings.Contains(st.Err, "choose another folder") {
			t.Fatalf("%d attempts, error %q; want one, saying the folder is read-only", st.Attempts, st.Err)
		}
		f.check()
	})
}
